// Check a JSON array of xAPI statements (as `coursepack results collect --xapi` writes) with
// Learning Locker's xAPI validator, and say which are not valid and why.
// Usage: node tests/xapi_check_statements.js < statements.json
// Prints [[index, [[problem, path], ...]], ...] for the statements with problems.
"use strict";
const path = require("path");
const validate = require(path.join(__dirname, "node_modules", "@learninglocker", "xapi-validation")).default;

let input = "";
process.stdin.on("data", (d) => { input += d; }).on("end", () => {
  const found = [];
  JSON.parse(input).forEach((statement, i) => {
    const problems = validate(statement).map((w) => [w.name + (w.typeName ? " " + w.typeName : ""), w.path.join(".")]);
    if (problems.length) found.push([i, problems]);
  });
  process.stdout.write(JSON.stringify(found));
});
