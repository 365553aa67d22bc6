/* coursepack grading: scores one response to one question.
 *
 * The same rules as src/coursepack/grading.py (read its docstring for them); both are tested
 * on tests/grading_cases.json. `key` is a question's grading data as the HTML exporter writes
 * it into each quiz page (exporters/html/quizdata.py); `response` is an array of tokens.
 * Returns {score, result} with result "correct" | "partial" | "incorrect" | "pending" | "neutral".
 * Works in the browser (window.coursepackGrading) and in Node (module.exports).
 */
(function (root) {
  "use strict";

  var NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

  function normaliseText(text, caseSensitive) {
    var collapsed = String(text).normalize("NFC").replace(/\s+/g, " ").trim();
    return caseSensitive ? collapsed : collapsed.toLowerCase();
  }

  function parseNumber(text) {
    var cleaned = String(text).trim();
    if (cleaned.indexOf(",") >= 0 && cleaned.indexOf(".") < 0 && cleaned.split(",").length === 2) {
      cleaned = cleaned.replace(",", ".");
    }
    return NUMBER.test(cleaned) ? Number(cleaned) : null;
  }

  function numberAccepted(bounds, text) {
    var value = parseNumber(text);
    if (value === null) return false;
    var slack = 1e-9 * Math.max(1, Math.abs(bounds.lo), Math.abs(bounds.hi));
    return bounds.lo - slack <= value && value <= bounds.hi + slack;
  }

  function result(score, points, right) {
    if (right) return { score: points, result: "correct" };
    if (score > 0) return { score: score, result: "partial" };
    return { score: 0, result: "incorrect" };
  }

  function first(response) {
    return response.length ? response[0] : "";
  }

  function sameList(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function count(list, wanted) {
    var n = 0;
    list.forEach(function (id) { if (wanted.indexOf(id) >= 0) n++; });
    return n;
  }

  function unique(list) {
    return list.filter(function (v, i) { return list.indexOf(v) === i; });
  }

  function multiple(key, response) {
    var chosen = unique(response);
    var wrong = key.ids.filter(function (id) { return key.correct.indexOf(id) < 0; });
    var right = chosen.length === key.correct.length && count(chosen, key.correct) === chosen.length;
    if (key.allOrNothing || right) return result(0, key.points, right);
    var score = key.points * count(chosen, key.correct) / key.correct.length;
    if (key.negative && wrong.length) {
      score = score - key.points * count(chosen, wrong) / wrong.length;
    }
    return result(Math.max(0, score), key.points, right);
  }

  function textAccepted(answers, caseSensitive, text) {
    var given = normaliseText(text, caseSensitive);
    return given !== "" && answers.some(function (a) {
      return normaliseText(a, caseSensitive) === given;
    });
  }

  function matching(key, response) {
    var given = {};
    response.forEach(function (token) {
      var dot = token.indexOf(".");
      if (dot >= 0) given[token.slice(0, dot)] = token.slice(dot + 1);
    });
    var prompts = Object.keys(key.pairs);
    var hits = prompts.filter(function (p) { return given[p] === key.pairs[p]; }).length;
    return result(key.points * hits / prompts.length, key.points, hits === prompts.length);
  }

  function ordering(key, response) {
    var hits = 0;
    key.correct.forEach(function (id, i) { if (response[i] === id) hits++; });
    return result(key.points * hits / key.correct.length, key.points, sameList(response, key.correct));
  }

  function blankAccepted(blank, text) {
    if (blank.kind === "numeric") return numberAccepted(blank, text);
    if (blank.kind === "dropdown") return text === blank.answers[0];
    return textAccepted(blank.answers, blank.caseSensitive, text);
  }

  function blanks(key, response) {
    var total = 0, earned = 0, all = true;
    key.blanks.forEach(function (blank, i) {
      var ok = blankAccepted(blank, i < response.length ? response[i] : "");
      total += blank.points;
      if (ok) earned += blank.points; else all = false;
    });
    return result(total > 0 ? key.points * earned / total : 0, key.points, all);
  }

  function grade(key, response) {
    response = (response || []).map(String);
    switch (key.type) {
      case "single": return result(0, key.points, sameList(response, [key.correct]));
      case "multiple": return multiple(key, response);
      case "true-false": return result(0, key.points, sameList(response, [key.correct]));
      case "short-answer":
        return result(0, key.points, textAccepted(key.answers, key.caseSensitive, first(response)));
      case "numeric": return result(0, key.points, numberAccepted(key, first(response)));
      case "matching": return matching(key, response);
      case "ordering": return ordering(key, response);
      case "fill-blanks": return blanks(key, response);
      case "essay": return { score: 0, result: "pending" };
      case "description": return { score: 0, result: "neutral" };
      default: throw new Error("unknown question type " + key.type);
    }
  }

  var api = {
    grade: grade, blankAccepted: blankAccepted, normaliseText: normaliseText,
    parseNumber: parseNumber, numberAccepted: numberAccepted
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.coursepackGrading = api;
})(this);
