/* coursepack SCORM adapter (SCORM 1.2 and 2004), hand-written for coursepack. It needs
 * ../lms/unit-pages.js loaded first (the unit's pages, and the bridge from a course page).
 *
 * One script, two roles:
 * - in a SCO launch page (it carries <script id="coursepack-sco"> with the SCO's settings) it
 *   finds the LMS API, keeps the SCORM session and shows the course pages in a frame;
 * - in a course page shown in that frame it forwards the quiz runtime's events
 *   (coursepack:page-viewed, coursepack:quiz-submitted, coursepack:progress-changed) to the
 *   launch page and hands the runtime a store that lives in suspend_data.
 * Without an LMS the course works as the plain HTML site does, without tracking.
 */
(function () {
  "use strict";

  var RETRIES = 5;
  var RETRY_MS = 2000;

  var DRIVERS = {
    "1.2": {
      api: "API",
      call: {init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue",
             commit: "LMSCommit", finish: "LMSFinish", error: "LMSGetLastError"},
      key: {location: "cmi.core.lesson_location", suspend: "cmi.suspend_data",
            entry: "cmi.core.entry", exit: "cmi.core.exit", time: "cmi.core.session_time",
            status: "cmi.core.lesson_status", score: "cmi.core.score.",
            learner: "student_response", passing: "cmi.student_data.mastery_score"},
      locationMax: 255
    },
    "2004": {
      api: "API_1484_11",
      call: {init: "Initialize", get: "GetValue", set: "SetValue",
             commit: "Commit", finish: "Terminate", error: "GetLastError"},
      key: {location: "cmi.location", suspend: "cmi.suspend_data",
            entry: "cmi.entry", exit: "cmi.exit", time: "cmi.session_time",
            status: "cmi.success_status", score: "cmi.score.",
            learner: "learner_response", passing: "cmi.scaled_passing_score"},
      locationMax: 1000
    }
  };

  // ---- finding the API: the bounded search through parents, then the opener --------------

  function searchUp(win, name) {
    for (var hops = 0; win && hops < 500; hops++) {
      try {
        if (win[name]) { return win[name]; }
        if (!win.parent || win.parent === win) { return null; }
      } catch (e) { return null; }
      win = win.parent;
    }
    return null;
  }

  function findApi(name) {
    var api = searchUp(window, name);
    try {
      if (!api && window.opener) { api = searchUp(window.opener, name); }
      if (!api && window.opener && window.opener.top) { api = searchUp(window.opener.top, name); }
    } catch (e) { /* a cross-origin opener holds no API we may use */ }
    return api;
  }

  // ---- response formats ---------------------------------------------------------------------

  function tokens(list) { return (list || []).map(function (t) { return String(t); }); }

  function pair(token, joiner) {
    var at = token.indexOf(".");
    return at < 0 ? token : token.slice(0, at) + joiner + token.slice(at + 1);
  }

  var FORMAT_12 = {
    type: function (t) {
      return {"long-fill-in": "fill-in", other: "performance"}[t] || t;
    },
    response: function (type, list, correct) {
      var t = tokens(list);
      if (type === "true-false") { return t[0] === "true" ? "t" : "f"; }
      if (type === "numeric") { return correct && t.length > 1 ? t[0] : (t[0] || ""); }
      return t.join(",").slice(0, 255);
    },
    result: function (r) { return r === "incorrect" ? "wrong" : r; }
  };

  var FORMAT_2004 = {
    type: function (t) { return t; },
    response: function (type, list, correct) {
      var t = tokens(list);
      if (type === "true-false" || type === "likert") { return t[0] || ""; }
      if (type === "numeric") { return correct && t.length > 1 ? t[0] + "[:]" + t[1] : (t[0] || ""); }
      if (type === "long-fill-in" || type === "other") { return t.join("\n").slice(0, 4000); }
      if (type === "matching") { t = t.map(function (x) { return pair(x, "[.]"); }); }
      if (type === "fill-in") { t = t.slice(0, 10); }
      return t.join("[,]");
    },
    result: function (r) { return r; }
  };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function timespan12(ms) {
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600);
    return (h < 10 ? "000" : h < 100 ? "00" : h < 1000 ? "0" : "") + h + ":" +
      pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  function timespan2004(ms) { return "PT" + Math.max(0, Math.round(ms / 10) / 100) + "S"; }

  function clock12(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }

  function stamp2004(d) { return d.toISOString().slice(0, 19); }

  function round(x, places) { var f = Math.pow(10, places); return Math.round(x * f) / f; }

  // ---- the SCORM session in the launch page ------------------------------------------------

  function Session(cfg) {
    this.cfg = cfg;
    this.unit = new window.CoursepackUnit.Unit(cfg);
    this.is12 = cfg.version === "1.2";
    this.driver = DRIVERS[this.is12 ? "1.2" : "2004"];
    this.format = this.is12 ? FORMAT_12 : FORMAT_2004;
    this.api = null;
    this.tracking = false;
    this.terminated = false;
    this.retries = 0;
    this.retryTimer = null;
    this.started = Date.now();
    this.track = {v: [], q: {}};
    this.location = "";
    this.runtimeState = null;
    this.reported = "";
    this.objectiveIndex = {};
    this.errors = [];
    this.commits = 0;
    this.pending = null;
  }

  Session.prototype.lms = function (what, a, b) {
    var fn = this.api[this.driver.call[what]];
    var args = what === "get" ? [a] : what === "set" ? [a, b] : [""];
    try { return fn.apply(this.api, args); } catch (e) { return "false"; }
  };

  Session.prototype.get = function (key) {
    var value = this.lms("get", key);
    return value === null || value === undefined ? "" : String(value);
  };

  Session.prototype.set = function (key, value) {
    var ok = String(this.lms("set", key, String(value))) === "true";
    if (!ok) { this.errors.push(key + " <- " + value + ": error " + this.lms("error")); }
    return ok;
  };

  Session.prototype.start = function () {
    this.api = findApi(this.driver.api);
    if (!this.api) { return; }
    this.tracking = String(this.lms("init")) === "true";
    if (!this.tracking) { return; }
    this.resume();
    this.readObjectives();
    var status = this.is12 ? this.get("cmi.core.lesson_status") : this.get("cmi.completion_status");
    if (status === "not attempted" || status === "unknown" || status === "") {
      this.set(this.is12 ? "cmi.core.lesson_status" : "cmi.completion_status", "incomplete");
      this.commit();
    }
  };

  Session.prototype.resume = function () {
    var text = this.get(this.driver.key.suspend);
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (data && typeof data === "object") {
      this.track = data.t && data.t.q ? data.t : this.track;
      this.runtimeState = data.s || null;
      this.location = typeof data.l === "string" ? data.l : "";
    }
    if (!this.location) { this.location = this.get(this.driver.key.location); }
  };

  Session.prototype.readObjectives = function () {
    var count = parseInt(this.get("cmi.objectives._count"), 10) || 0;
    for (var i = 0; i < count; i++) { this.objectiveIndex[this.get("cmi.objectives." + i + ".id")] = i; }
  };


  // ---- progress and status --------------------------------------------------------------

  Session.prototype.summary = function () {
    var t = this.unit.tally(this.track);
    var ratio = t.max > 0 ? t.score / t.max : 1;
    var passed = t.tried && t.quizzes > 0 && ratio * 100 >= this.passMark() - 1e-9;
    // The rule both versions follow (docs/formats.md): completed once every lesson was opened
    // and every quiz submitted, or once the quizzes are passed; passed by the best score.
    return {
      quizzes: t.quizzes > 0, tried: t.tried, completed: (t.lessons && t.tried) || passed,
      score: t.score, max: t.max, ratio: ratio, passed: passed,
      progress: passed ? 1 : t.done / Math.max(1, t.steps)
    };
  };

  Session.prototype.passMark = function () {
    if (this.tracking) {
      var lms = parseFloat(this.get(this.driver.key.passing));
      if (!isNaN(lms)) { return this.is12 ? lms : lms * 100; }
    }
    return this.cfg.passMark === null ? 100 : this.cfg.passMark;
  };

  Session.prototype.report = function (commitAnyway) {
    if (!this.tracking || this.terminated) { return; }
    var s = this.summary();
    var key = [s.tried, s.passed, s.completed, round(s.ratio, 4), round(s.progress, 4)].join("/");
    if (key === this.reported && !commitAnyway) { return; }  // only changes go to the LMS
    this.reported = key;
    if (this.is12) { this.report12(s); } else { this.report2004(s); }
    this.commitSoon();  // commit on every status change
  };

  // Commit once the current event is over, so that the runtime's progress-changed, which
  // follows quiz-submitted, is in the suspend data that goes with it.
  Session.prototype.commitSoon = function () {
    var self = this;
    if (this.pending) { return; }
    this.pending = setTimeout(function () {
      self.pending = null;
      self.saveSuspend();
      self.commit();
    }, 0);
  };

  Session.prototype.report12 = function (s) {
    var status = s.quizzes && s.tried ? (s.passed ? "passed" : "failed")
      : s.completed ? "completed" : "incomplete";
    if (s.quizzes && s.tried) {  // the score goes first: some LMSs record 0 otherwise
      this.set("cmi.core.score.raw", round(s.ratio * 100, 2));
      this.set("cmi.core.score.min", 0);
      this.set("cmi.core.score.max", 100);
    }
    this.set("cmi.core.lesson_status", status);
  };

  Session.prototype.report2004 = function (s) {
    var success = s.quizzes && s.tried ? (s.passed ? "passed" : "failed") : "unknown";
    if (s.quizzes && s.tried) {
      this.set("cmi.score.scaled", round(s.ratio, 4));
      this.set("cmi.score.raw", round(s.score, 2));
      this.set("cmi.score.min", 0);
      this.set("cmi.score.max", round(s.max, 2));
    }
    this.set("cmi.progress_measure", round(s.progress, 4));
    this.set("cmi.success_status", success);
    var completion = s.completed ? "completed" : "incomplete";
    this.set("cmi.completion_status", completion);
  };

  // ---- interactions and objectives --------------------------------------------------------

  Session.prototype.recordQuiz = function (d) {
    var self = this;
    var byObjective = {};
    (d.interactions || []).forEach(function (it) {
      self.recordInteraction(d.quizId, it);
      (it.objectives || []).forEach(function (o) {
        var sum = byObjective[o] || (byObjective[o] = {score: 0, max: 0});
        sum.score += Number(it.score) || 0;
        sum.max += Number(it.weighting) || 0;
      });
    });
    var mark = Number(d.passMark) || this.passMark();
    Object.keys(byObjective).forEach(function (o) {
      var sum = byObjective[o];
      var ratio = sum.max > 0 ? sum.score / sum.max : 0;
      self.recordObjective(o, ratio, ratio * 100 >= mark - 1e-9);
    });
    var best = this.track.q[d.quizId];
    this.recordObjective(d.quizId, best.m > 0 ? best.b / best.m : 0, best.p);
  };

  Session.prototype.recordInteraction = function (quizId, it) {
    var n = parseInt(this.get("cmi.interactions._count"), 10) || 0;
    var p = "cmi.interactions." + n + ".";
    var type = this.format.type(it.type || "other");
    this.set(p + "id", quizId + "." + it.id);
    this.set(p + "type", type);
    var self = this;
    (it.objectives || []).forEach(function (o, k) { self.set(p + "objectives." + k + ".id", o); });
    if (this.is12) { this.set(p + "time", clock12(new Date())); } else { this.set(p + "timestamp", stamp2004(new Date())); }
    if (it.correctResponse && it.correctResponse.length) {
      this.set(p + "correct_responses.0.pattern", this.format.response(type, it.correctResponse, true));
    }
    this.set(p + "weighting", Number(it.weighting) || 0);
    var answered = (it.learnerResponse || []).some(function (t) { return String(t) !== ""; });
    if (answered) {  // an unanswered question sends no response: "" is not valid for most types
      this.set(p + this.driver.key.learner, this.format.response(type, it.learnerResponse, false));
    }
    this.set(p + "result", this.format.result(it.result || "neutral"));
    if (!this.is12 && it.description) { this.set(p + "description", String(it.description).slice(0, 250)); }
  };

  Session.prototype.recordObjective = function (id, ratio, passed) {
    var n = this.objectiveIndex[id];
    if (n === undefined) {
      n = parseInt(this.get("cmi.objectives._count"), 10) || 0;
      if (!this.set("cmi.objectives." + n + ".id", id)) { return; }
      this.objectiveIndex[id] = n;
    }
    var p = "cmi.objectives." + n + ".";
    if (this.is12) {
      this.set(p + "score.raw", round(ratio * 100, 2));
      this.set(p + "score.min", 0);
      this.set(p + "score.max", 100);
      this.set(p + "status", passed ? "passed" : "failed");
    } else {
      this.set(p + "score.scaled", round(ratio, 4));
      this.set(p + "success_status", passed ? "passed" : "failed");
      this.set(p + "completion_status", "completed");
    }
  };

  // ---- events from the course pages ---------------------------------------------------------

  Session.prototype.pageShown = function (win) {
    var rel = this.unit.shown(win);
    if (!rel) { return; }
    this.location = rel;
    var lesson = this.cfg.lessons.indexOf(rel.split("#")[0]);
    if (lesson >= 0 && this.track.v.indexOf(lesson) < 0) { this.track.v.push(lesson); }
    if (!this.tracking || this.terminated) { return; }
    this.set(this.driver.key.location, rel.slice(0, this.driver.locationMax));
    this.saveSuspend();
    this.report();
  };

  Session.prototype.quizSubmitted = function (d) {
    if (!d || !Object.prototype.hasOwnProperty.call(this.cfg.quizzes, d.quizId)) { return; }
    var max = Number(d.maxScore) || 0;
    var score = Number(d.score) || 0;
    var ratio = max > 0 ? score / max : 0;
    var best = this.track.q[d.quizId];
    var attempts = best ? best.n + 1 : 1;
    if (!best || ratio > (best.m > 0 ? best.b / best.m : 0)) {
      best = {b: score, m: max, p: !!d.passed};
    }
    best.n = attempts;
    best.p = best.p || !!d.passed;
    this.track.q[d.quizId] = best;
    if (!this.tracking || this.terminated) { return; }
    this.recordQuiz(d);
    this.report(true);  // commit after every quiz, whether or not the status changed
  };

  Session.prototype.progressChanged = function (state) {
    this.runtimeState = state;
    if (this.tracking && !this.terminated) { this.saveSuspend(); }
  };

  // ---- suspend data, commit, terminate -----------------------------------------------------

  // suspend_data holds {v, l: location, t: this adapter's tracking, s: the runtime's state}.
  // When it is too long for the LMS (4,096 characters in SCORM 1.2), the runtime's state loses
  // first the answers of unfinished attempts, then the unfinished attempts, then itself:
  // the place and the scores (t) always survive.
  Session.prototype.suspendText = function () {
    var limit = this.cfg.suspendLimit || 64000;
    var data = {v: 1, l: this.location, t: this.track, s: this.runtimeState};
    var text = JSON.stringify(data);
    for (var level = 1; text.length > limit && level <= 3; level++) {
      data.s = level < 3 ? trimmed(this.runtimeState, level) : undefined;
      text = JSON.stringify(data);
    }
    return text;
  };

  Session.prototype.saveSuspend = function () {
    if (!this.tracking || this.terminated) { return; }
    this.set(this.driver.key.suspend, this.suspendText());
  };

  Session.prototype.commit = function () {
    if (!this.tracking || this.terminated) { return false; }
    var ok = String(this.lms("commit")) === "true";
    this.commits += 1;
    if (ok) { this.retries = 0; } else { this.retryLater(); }
    return ok;
  };

  Session.prototype.retryLater = function () {
    var self = this;
    if (this.retryTimer || this.retries >= RETRIES) { return; }
    this.retries += 1;
    this.retryTimer = setTimeout(function () { self.retryTimer = null; self.commit(); }, RETRY_MS);
  };

  Session.prototype.finish = function () {
    if (!this.tracking || this.terminated) { return; }
    var s = this.summary();
    var done = s.completed && (!s.quizzes || s.passed);
    this.saveSuspend();
    this.set(this.driver.key.exit, done ? (this.is12 ? "" : "normal") : "suspend");
    var spent = Date.now() - this.started;
    this.set(this.driver.key.time, this.is12 ? timespan12(spent) : timespan2004(spent));
    clearTimeout(this.pending);
    if (!this.commit()) { this.commit(); }
    clearTimeout(this.retryTimer);
    this.lms("finish");
    this.terminated = true;
  };

  function trimmed(state, level) {
    var copy = JSON.parse(JSON.stringify(state || {}));
    var quizzes = copy.q || {};
    Object.keys(quizzes).forEach(function (id) {
      var current = quizzes[id] && quizzes[id].c;
      if (!current) { return; }
      if (level === 1) { delete current.r; } else { delete quizzes[id].c; }
    });
    return copy;
  }

  // ---- the launch page ----------------------------------------------------------------------

  function startLauncher(cfg) {
    var session = new Session(cfg);
    session.start();
    window.coursepackScorm = {
      session: session,
      attach: function (win) {
        var cp = win.coursepack;
        win.__coursepackScormAttached = true;
        if (!session.tracking || !cp) { return; }
        if (typeof cp.setStore === "function") {
          cp.setStore({
            load: function () { return session.runtimeState; },
            save: function (state) { session.progressChanged(state); }
          });
        }
        if (session.runtimeState && typeof cp.restore === "function") { cp.restore(session.runtimeState); }
      },
      event: function (name, detail, win) {
        if (name === "page-viewed") { session.pageShown(win); }
        if (name === "quiz-submitted") { session.quizSubmitted(detail); }
        if (name === "progress-changed" && win.__coursepackScormAttached && detail) {
          session.progressChanged(detail.state);
        }
      },
      page: function (win) { session.pageShown(win); },
      allows: function (win) { return session.unit.keeps(win); },
      start: function () { return session.unit.start(); }
    };
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { session.saveSuspend(); session.commit(); }
    });
    // pagehide, not unload: it fires on every browser that closes or leaves the page, and keeps
    // the page eligible for the back/forward cache. finish() runs once whatever calls it.
    window.addEventListener("pagehide", function () { session.finish(); });
    function show() {
      document.getElementById("coursepack-content").src = session.unit.firstPage(session.location);
    }
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", show); } else { show(); }
  }

  // ---- a course page inside the launch page: unit-pages.js passes its events on ----------

  var node = document.getElementById("coursepack-sco");
  if (node) {
    startLauncher(JSON.parse(node.textContent));
  } else {
    window.CoursepackUnit.bridge("coursepackScorm", function () { return null; });
  }
})();
