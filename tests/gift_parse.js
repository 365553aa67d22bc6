// Parse a GIFT file with the pinned gift-pegjs and print each question's type and title as JSON.
// Usage: node tests/gift_parse.js FILE
"use strict";
const fs = require("fs");
const path = require("path");
const parser = require(path.join(__dirname, "node_modules", "gift-pegjs"));

const text = fs.readFileSync(process.argv[2], "utf8");
try {
  const questions = parser.parse(text);
  process.stdout.write(JSON.stringify(questions));
} catch (error) {
  const where = error.location ? `${error.location.start.line}:${error.location.start.column}` : "?";
  process.stderr.write(`${where}: ${error.message}\n`);
  process.exit(1);
}
