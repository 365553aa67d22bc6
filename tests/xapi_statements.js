// Build xAPI statements with templates/html/static/xapi.js and check each with Learning
// Locker's xAPI validator (pinned in tests/package.json). Reads JSON on stdin:
//   {answered: [{question, answer, outcome, ctx}], results: [{quiz, attempt, ctx}]}
// and prints {answered: [{statement, problems, type}], results: [[{statement, problems}]]};
// given {validate: [statements]} it prints {validated: [problems per statement]}, where
// problems are [[message, path], ...].
// Usage: node tests/xapi_statements.js < cases.json
"use strict";
const path = require("path");
const xapi = require(path.join(__dirname, "..", "templates", "html", "static", "xapi.js"));
const validate = require(path.join(__dirname, "node_modules", "@learninglocker", "xapi-validation")).default;

function problems(statement) {
  if (statement === null) return [];
  return validate(statement).map((w) => [w.name + (w.typeName ? " " + w.typeName : ""), w.path.join(".")]);
}

let input = "";
process.stdin.on("data", (d) => { input += d; }).on("end", () => {
  const cases = JSON.parse(input);
  const out = { answered: [], results: [] };
  if (cases.validate) out.validated = cases.validate.map(problems);
  (cases.answered || []).forEach((c) => {
    const statement = xapi.answered(c.question, c.answer, c.outcome, c.ctx);
    out.answered.push({ statement, problems: problems(statement), type: xapi.interactionType(c.question) });
  });
  (cases.results || []).forEach((c) => {
    const statements = xapi.quizResult(c.quiz, c.attempt, c.ctx);
    out.results.push(statements.map((statement) => ({ statement, problems: problems(statement) })));
  });
  process.stdout.write(JSON.stringify(out));
});
