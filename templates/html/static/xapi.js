/* coursepack xAPI statements: builds xAPI 1.0.3 statements from a quiz page's data; sends
 * nothing. Browser: window.CoursepackXapi; Node: module.exports. API, IRIs and response
 * patterns: docs/runtime.md, "xAPI statements". */
(function (root) {
  "use strict";

  var ADL = "http://adlnet.gov/expapi/";
  var VERBS = {
    answered: ADL + "verbs/answered",
    completed: ADL + "verbs/completed",
    passed: ADL + "verbs/passed",
    failed: ADL + "verbs/failed",
    initialized: ADL + "verbs/initialized",
    terminated: ADL + "verbs/terminated"
  };
  var ACTIVITY_TYPES = {
    question: ADL + "activities/cmi.interaction",
    assessment: ADL + "activities/assessment"
  };
  var INTERACTION = {
    single: "choice", multiple: "choice", "true-false": "true-false",
    "short-answer": "fill-in", "fill-blanks": "fill-in", essay: "long-fill-in",
    numeric: "numeric", matching: "matching", ordering: "sequencing"
  };
  var LIST = "[,]", PAIR = "[.]", RANGE = "[:]";
  var MAX_PATTERNS = 32;  // fill-blanks: at most this many combinations of answers
  var NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

  // The configured base IRI (course.yaml cmi5: activity_base), else urn:coursepack:<id>.
  function activityBase(courseId, configured) {
    if (configured) return String(configured).replace(/\/+$/, "");
    return "urn:coursepack:" + segment(courseId || "course");
  }

  // One IRI segment: only unreserved characters stay, so no id can change the IRI's shape.
  function segment(text) {
    return encodeURIComponent(String(text)).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function activityId(base) {
    var parts = Array.prototype.slice.call(arguments, 1).map(segment);
    return [String(base)].concat(parts).join("/");
  }

  function quizIri(ctx, quizId) {
    return activityId(activityBase(ctx.courseId, ctx.base), "quiz", quizId);
  }

  function questionIri(ctx, quizId, questionId) {
    return activityId(activityBase(ctx.courseId, ctx.base), "quiz", quizId, "question", questionId);
  }

  function uuid() {
    var c = typeof globalThis !== "undefined" && globalThis.crypto ? globalThis.crypto : root && root.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = [];
    for (var i = 0; i < 16; i++) {
      bytes.push(c && c.getRandomValues ? c.getRandomValues(new Uint8Array(1))[0] : Math.floor(Math.random() * 256));
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = bytes.map(function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // ISO 8601, to the hundredth of a second: "PT1M5.25S".
  function duration(ms) {
    var total = Math.max(0, Math.round((Number(ms) || 0) / 10)) / 100;
    var h = Math.floor(total / 3600), m = Math.floor((total - h * 3600) / 60);
    var s = Math.round((total - h * 3600 - m * 60) * 100) / 100;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + s + "S";
  }

  function timestamp(when) {
    var d = when instanceof Date ? when : when ? new Date(when) : new Date();
    return d.toISOString();
  }

  function languageMap(text, lang) {
    var map = {};
    map[lang || "und"] = String(text);
    return map;
  }

  function round(x, places) {
    var f = Math.pow(10, places);
    return Math.round(x * f) / f;
  }

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  // xAPI has no escape for its delimiter: a "[,]" typed in a text is written "[ ,]".
  function textItem(text) {
    return String(text).split(LIST).join("[ ,]");
  }

  function parseNumber(text) {
    var cleaned = String(text).trim();
    if (cleaned.indexOf(",") >= 0 && cleaned.indexOf(".") < 0 && cleaned.split(",").length === 2) {
      cleaned = cleaned.replace(",", ".");
    }
    return NUMBER.test(cleaned) ? Number(cleaned) : null;
  }

  function numberText(value) {
    return String(Number(value));
  }

  function typeOf(question) {
    if (typeof question === "string") return question;
    return question && question.key ? question.key.type : question && question.type;
  }

  // null for a description, which is no question.
  function interactionType(question) {
    var type = typeOf(question);
    return Object.prototype.hasOwnProperty.call(INTERACTION, type) ? INTERACTION[type] : null;
  }

  function caseMatters(key) {
    if (key.type === "short-answer") return !!key.caseSensitive;
    var texts = (key.blanks || []).filter(function (b) { return b.kind !== "numeric"; });
    return texts.length > 0 && texts.every(function (b) { return b.caseSensitive || b.kind === "dropdown"; });
  }

  function combinations(lists) {
    var out = [[]];
    lists.forEach(function (list) {
      var next = [];
      out.forEach(function (prefix) {
        list.forEach(function (item) { if (next.length < MAX_PATTERNS) next.push(prefix.concat([item])); });
      });
      out = next;
    });
    return out;
  }

  // A numeric blank: the exporter's value (`correct`: exact, or a range's low end).
  function blankAnswers(blank, correct) {
    if (blank.kind === "numeric") return [correct];
    return blank.kind === "dropdown" ? [blank.answers[0]] : blank.answers;
  }

  function correctResponsesPattern(question) {
    var key = question.key || {}, info = question.interaction || {};
    var correct = (info.correctResponse || []).map(String);
    switch (interactionType(question)) {
      case "true-false": return [correct[0] || String(key.correct)];
      case "choice":
      case "sequencing": return [correct.join(LIST)];
      case "matching":
        return [correct.map(function (t) { return t.replace(".", PAIR); }).join(LIST)];
      case "numeric": {
        var lo = numberText(key.lo), hi = numberText(key.hi);
        return [lo === hi ? lo : lo + RANGE + hi];
      }
      case "fill-in": {
        var prefix = "{case_matters=" + caseMatters(key) + "}";
        if (key.type === "short-answer") {
          return key.answers.map(function (a) { return prefix + textItem(a); });
        }
        var lists = (key.blanks || []).map(function (b, i) { return blankAnswers(b, correct[i]); });
        return combinations(lists).map(function (items) {
          return prefix + items.map(textItem).join(LIST);
        });
      }
      default: return [];
    }
  }

  function given(tokens) {
    return (tokens || []).map(String).some(function (t) { return t.trim() !== ""; });
  }

  // undefined when nothing was given: xAPI has no "no answer" value.
  function response(question, answer) {
    var tokens = (answer || []).map(String);
    if (!given(tokens)) return undefined;
    switch (interactionType(question)) {
      case "true-false": return tokens[0] === "true" ? "true" : tokens[0] === "false" ? "false" : undefined;
      case "choice":
      case "sequencing": return tokens.join(LIST);
      case "matching":
        return tokens.filter(function (t) { return t.indexOf(".") > 0; })
          .map(function (t) { return t.replace(".", PAIR); }).join(LIST);
      case "numeric": {
        var value = parseNumber(tokens[0]);
        return value === null ? undefined : numberText(value);
      }
      case "fill-in": return tokens.map(textItem).join(LIST);
      case "long-fill-in": return tokens.join("\n");
      default: return undefined;
    }
  }

  function components(list, lang) {
    return (list || []).map(function (c) {
      return { id: String(c.id), description: languageMap(c.text, lang) };
    });
  }

  function definition(question, ctx) {
    var info = question.interaction || {}, lang = ctx.lang;
    var type = interactionType(question);
    var def = {
      type: ACTIVITY_TYPES.question,
      name: languageMap(info.description || question.id, lang),
      interactionType: type
    };
    var patterns = correctResponsesPattern(question);
    if (patterns.length) def.correctResponsesPattern = patterns;
    var parts = info.components || {};
    if (type === "choice" || type === "sequencing") def.choices = components(parts.choices, lang);
    if (type === "matching") {
      def.source = components(parts.source, lang);
      def.target = components(parts.target, lang);
    }
    return def;
  }

  function activity(id, def) {
    var a = { objectType: "Activity", id: id };
    if (def) a.definition = def;
    return a;
  }

  function verb(name, lang) {
    return { id: VERBS[name], display: { en: name } };
  }

  // `extra` merged into the template `base`, never overwriting what the template gives.
  function mergeContext(base, extra) {
    var out = copy(base) || {};
    Object.keys(extra || {}).forEach(function (k) {
      var v = extra[k];
      if (v === undefined) return;
      if (Array.isArray(out[k]) && Array.isArray(v)) {
        v.forEach(function (item) {
          var seen = out[k].some(function (o) { return o && item && o.id === item.id; });
          if (!seen) out[k].push(copy(item));
        });
      } else if (out[k] && typeof out[k] === "object" && v && typeof v === "object" && !Array.isArray(v)) {
        out[k] = mergeContext(out[k], v);
      } else if (out[k] === undefined) {
        out[k] = copy(v);
      }
    });
    return out;
  }

  function statement(verbName, object, result, ctx, context) {
    ctx = ctx || {};
    var s = { id: ctx.id || uuid(), verb: verb(verbName, ctx.lang), object: object, timestamp: timestamp(ctx.timestamp) };
    if (ctx.actor) s.actor = copy(ctx.actor);
    if (result && Object.keys(result).length) s.result = result;
    var merged = mergeContext(ctx.context || {}, context || {});
    if (ctx.registration) merged.registration = merged.registration || ctx.registration;
    if (ctx.lang && !merged.language) merged.language = ctx.lang;
    if (ctx.platform && !merged.platform) merged.platform = ctx.platform;
    if (Object.keys(merged).length) s.context = merged;
    return s;
  }

  // raw/min/max only when whole numbers (cmi5), unless `always`; scaled when max > 0.
  function score(raw, max, always) {
    var s = {};
    if (always || (Math.round(raw) === raw && Math.round(max) === max)) {
      s = { raw: round(raw, 4), min: 0, max: round(max, 4) };
    }
    if (max > 0) s.scaled = Math.max(-1, Math.min(1, round(raw / max, 4)));
    return s;
  }

  function answered(question, answer, outcome, ctx) {
    ctx = ctx || {};
    var type = interactionType(question);
    if (!type) return null;
    var id = question.id || ctx.questionId;
    var quizId = ctx.quizId || (question.quizId);
    var object = activity(questionIri(ctx, quizId, id), definition(question, ctx));
    var result = { completion: true };
    var given = response(question, answer);
    if (given !== undefined) result.response = given;
    var verdict = outcome && outcome.result;
    if (verdict === "correct" || verdict === "partial" || verdict === "incorrect") {
      result.success = verdict === "correct";
      var points = ctx.points !== undefined ? ctx.points : (question.key || {}).points;
      result.score = score(Number(outcome.score) || 0, Number(points) || 0, true);
    }
    if (ctx.durationMs !== undefined) result.duration = duration(ctx.durationMs);
    var context = { contextActivities: { parent: [activity(quizIri(ctx, quizId), { type: ACTIVITY_TYPES.assessment })] } };
    return statement("answered", object, result, ctx, context);
  }

  function quizResult(quiz, attempt, ctx) {
    ctx = ctx || {};
    var id = ctx.activityId || quizIri(ctx, quiz.id);
    var object = activity(id, { type: ACTIVITY_TYPES.assessment, name: languageMap(quiz.title || quiz.id, ctx.lang) });
    var wanted = ctx.verbs || ["completed", "passed", "failed"];
    var spent = attempt.durationMs !== undefined ? { duration: duration(attempt.durationMs) } : {};
    var out = [];
    var extra = ctx.statementContext || {};
    if (wanted.indexOf("completed") >= 0) {
      out.push(statement("completed", object, Object.assign({ completion: true }, spent), ctx, extra.completed));
    }
    var max = Number(attempt.maxScore) || 0;
    if (max > 0) {
      var passed = judge(attempt, quiz, ctx.masteryScore);
      var verbName = passed ? "passed" : "failed";
      if (wanted.indexOf(verbName) >= 0) {
        var result = Object.assign({ success: passed, score: score(Number(attempt.score) || 0, max) }, spent);
        out.push(statement(verbName, object, result, ctx, extra[verbName]));
      }
    }
    return out;
  }

  // Against masteryScore (0..1) when given, else the quiz's verdict or pass mark.
  function judge(attempt, quiz, masteryScore) {
    var max = Number(attempt.maxScore) || 0;
    var scaled = max > 0 ? (Number(attempt.score) || 0) / max : 0;
    if (masteryScore !== undefined && masteryScore !== null) return scaled + 1e-9 >= Number(masteryScore);
    if (typeof attempt.passed === "boolean") return attempt.passed;
    return scaled * 100 + 1e-9 >= Number(quiz.passMark);
  }

  var api = {
    VERBS: VERBS, ACTIVITY_TYPES: ACTIVITY_TYPES, INTERACTION: INTERACTION,
    activityBase: activityBase, activityId: activityId, quizIri: quizIri, questionIri: questionIri,
    interactionType: interactionType, correctResponsesPattern: correctResponsesPattern,
    response: response, definition: definition, answered: answered, quizResult: quizResult,
    judge: judge, statement: statement, mergeContext: mergeContext, languageMap: languageMap,
    duration: duration, uuid: uuid, score: score
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.CoursepackXapi = api;
})(this);
