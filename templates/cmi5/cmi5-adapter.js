/* coursepack cmi5 adapter, hand-written for coursepack (cmi5 packages only). It needs
 * ../lms/unit-pages.js loaded first (the unit's pages, and the bridge from a course page).
 *
 * One script, two roles, as the SCORM adapter:
 * - in an AU's launch page (it carries <script id="coursepack-au"> with the unit's settings)
 *   it reads the cmi5 launch parameters, fetches the session's token, reads LMS.LaunchData and
 *   the learner's preferences, resumes from the xAPI State API, sends the statements, and
 *   shows the course pages in a frame;
 * - in a course page shown in that frame it forwards the quiz runtime's events to the launch
 *   page and hands the runtime a store that lives in the LMS's state document.
 * Without cmi5 launch parameters the course works as the plain site does and nothing is sent.
 * The statements, their order and the rules followed: docs/formats.md ("cmi5").
 */
(function () {
  "use strict";

  // An interface string in the course's language: the launch page loads the site's
  // assets/messages.js before this script (English without it). `python -m
  // coursepack.locale.extract` collects the strings given to t().
  function t(message) {
    var said = (window.coursepackMessages || {}).messages || {};
    return typeof said[message] === "string" ? said[message] : message;
  }

  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CATEGORY = { objectType: "Activity", id: CMI5 + "context/categories/cmi5" };
  var MOVEON = { objectType: "Activity", id: CMI5 + "context/categories/moveon" };
  var MASTERY = CMI5 + "context/extensions/masteryscore";
  var XAPI_VERSION = "1.0.3";
  var STATE_ID = "coursepack.progress";
  var RETRY_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  var SAVE_DELAY_MS = 800;
  var START_TIMEOUT_MS = 20000;  // a slow link may take this long; then the course shows untracked
  var SEND_TIMEOUT_MS = 30000;   // a request with no answer by then is tried again (same id)

  /* ---- the launch parameters ------------------------------------------------------------ */

  // The five cmi5 launch parameters, or null when any is missing or unreadable (the unit was
  // opened outside a cmi5 LMS: it then sends nothing).
  function launchParameters(search) {
    var query = new URLSearchParams(search || "");
    var names = ["endpoint", "fetch", "actor", "registration", "activityId"];
    var found = {};
    for (var i = 0; i < names.length; i++) {
      var value = query.get(names[i]);
      if (!value) return null;
      found[names[i]] = value;
    }
    try { found.actor = JSON.parse(found.actor); } catch (e) { return null; }
    if (!found.actor || typeof found.actor !== "object") return null;
    return found;
  }

  /* ---- the session in the launch page --------------------------------------------------- */

  function Session(cfg, launch) {
    this.cfg = cfg;
    this.unit = new window.CoursepackUnit.Unit(cfg);
    this.launch = launch;
    this.xapi = window.CoursepackXapi;
    this.tracking = false;      // the token and the launch data were read
    this.terminated = false;
    this.error = "";
    this.token = "";
    this.launchData = null;
    this.mode = "Normal";
    this.languages = [];
    this.track = { v: [], q: {} };   // lessons opened (by index), best result per quiz
    this.runtimeState = null;
    this.location = "";
    this.delivered = {};        // cmi5 verdicts the LMS has: {completed, passed} (registration)
    this.queued = {};           // verbs queued in this session
    this.verdict = "";          // "passed" or "failed" sent in this session (one at most)
    this.failedPending = false; // failed, and not passed since: sent when the session ends
    this.queue = [];            // statements not yet accepted by the LMS, in order
    this.sending = false;
    this.retries = 0;
    this.retryTimer = null;
    this.saveTimer = null;
    this.started = Date.now();
    this.lastStamp = 0;
    this.log = [];              // what happened, for tests and support: [what, detail]
  }

  Session.prototype.url = function (path, query) {
    var base = this.launch.endpoint.replace(/\/?$/, "/");
    var qs = query ? "?" + new URLSearchParams(query).toString() : "";
    return base + path + qs;
  };

  Session.prototype.request = function (method, path, query, body, keepalive) {
    var headers = { "X-Experience-API-Version": XAPI_VERSION, Authorization: "Basic " + this.token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return timed(fetch(this.url(path, query), {
      method: method, headers: headers, keepalive: !!keepalive, credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body)
    }), keepalive ? 0 : this.tracking ? SEND_TIMEOUT_MS : START_TIMEOUT_MS);
  };

  // A request that gives up after `ms` (0: never), as the start does on a link that hangs.
  function timed(promise, ms) {
    if (!ms) return promise;
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("no answer in " + ms / 1000 + " s")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); },
        function (e) { clearTimeout(timer); reject(e); });
    });
  }

  Session.prototype.agent = function () { return JSON.stringify(this.launch.actor); };

  Session.prototype.stateQuery = function (stateId) {
    return { stateId: stateId, activityId: this.launch.activityId, agent: this.agent(),
      registration: this.launch.registration };
  };

  // A JSON document from the LRS; null when there is none (404).
  Session.prototype.getJson = function (path, query) {
    return this.request("GET", path, query).then(function (response) {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  };

  // The token: one POST to the fetch URL, whose error JSON (error-code, error-text) stops
  // the session.
  Session.prototype.fetchToken = function () {
    var self = this;
    var asked = fetch(this.launch.fetch, { method: "POST", credentials: "omit" });
    return timed(asked, START_TIMEOUT_MS).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (!data || data["error-code"] !== undefined || !data["auth-token"]) {
        throw new Error("fetch URL: error " + (data && data["error-code"]) + ": " + (data && data["error-text"]));
      }
      self.token = data["auth-token"];
    });
  };

  Session.prototype.start = function () {
    var self = this;
    return this.fetchToken().then(function () {
      return self.getJson("activities/state", self.stateQuery("LMS.LaunchData"));
    }).then(function (data) {
      if (!data || !data.contextTemplate) throw new Error("LMS.LaunchData: no contextTemplate");
      self.launchData = data;
      self.mode = data.launchMode === "Browse" || data.launchMode === "Review" ? data.launchMode : "Normal";
      return self.getJson("agents/profile", { agent: self.agent(), profileId: "cmi5LearnerPreferences" })
        .catch(function () { return null; });
    }).then(function (prefs) {
      self.languages = prefs && typeof prefs.languagePreference === "string" ?
        prefs.languagePreference.split(",").map(function (l) { return l.trim(); }).filter(Boolean) : [];
      return self.getJson("activities/state", self.stateQuery(STATE_ID)).catch(function () { return null; });
    }).then(function (saved) {
      self.resume(saved);
      self.tracking = true;
      self.enqueue(self.defined("initialized"));
      self.evaluate();
      self.note("started", self.mode);
    }).catch(function (err) {
      self.error = String(err && err.message || err);
      self.note("no LMS", self.error);
    });
  };

  Session.prototype.note = function (what, detail) {
    this.log.push([what, detail === undefined ? "" : detail]);
  };

  /* ---- what was kept: the State API document and this browser's queue -------------------- */

  Session.prototype.storeKey = function () {
    return "coursepack-cmi5:" + this.launch.registration + ":" + this.launch.activityId;
  };

  Session.prototype.sessionId = function () {
    var ext = this.launchData && this.launchData.contextTemplate.extensions || {};
    return String(ext[CMI5 + "context/extensions/sessionid"] || "");
  };

  // Progress comes from the state document, or from this browser's copy when that is newer
  // (saved while the LMS could not be reached); verdicts the LMS has, from either.
  Session.prototype.resume = function (saved) {
    var local = null;
    try { local = JSON.parse(window.localStorage.getItem(this.storeKey()) || "null"); } catch (e) { local = null; }
    var doc = saved && typeof saved === "object" ? saved : null;
    if (local && local.doc && (!doc || (Number(local.doc.at) || 0) > (Number(doc.at) || 0))) doc = local.doc;
    if (doc) {
      if (doc.t && doc.t.q) this.track = doc.t;
      this.runtimeState = doc.s || null;
      this.location = typeof doc.l === "string" ? doc.l : "";
    }
    var self = this;
    [saved && saved.d, local && local.d].forEach(function (d) {
      if (d && typeof d === "object") Object.keys(d).forEach(function (k) { if (d[k]) self.delivered[k] = true; });
    });
    // Statements queued in an earlier session belong to it: the LMS has closed it
    // (abandoned), so they are dropped, and any verdict among them is judged again here.
    if (local && local.session === this.sessionId() && Array.isArray(local.queue)) this.queue = local.queue;
  };

  Session.prototype.keep = function () {
    try {
      window.localStorage.setItem(this.storeKey(), JSON.stringify({
        session: this.sessionId(), queue: this.queue, d: this.delivered, doc: this.document()
      }));
    } catch (e) { /* private mode: the queue lives in memory only */ }
  };

  Session.prototype.document = function () {
    return { v: 1, at: Date.now(), t: this.track, s: this.runtimeState, l: this.location, d: this.delivered };
  };

  // Keep progress in this browser at once, and in the state document a moment later.
  Session.prototype.saveSoon = function () {
    var self = this;
    if (!this.tracking || this.terminated) return;
    this.keep();
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(function () { self.saveTimer = null; self.saveState(false); }, SAVE_DELAY_MS);
  };

  Session.prototype.saveState = function (keepalive) {
    if (!this.tracking) return Promise.resolve();
    var self = this;
    return this.request("PUT", "activities/state", this.stateQuery(STATE_ID), this.document(), keepalive)
      .then(function (r) { self.note("state", r.status); })
      .catch(function () { self.note("state", "failed"); });
  };

  /* ---- statements ---------------------------------------------------------------------- */

  // A timestamp after the last one: the LMS orders a session's statements by timestamp.
  Session.prototype.stamp = function () {
    var now = Math.max(Date.now(), this.lastStamp + 1);
    this.lastStamp = now;
    return new Date(now);
  };

  Session.prototype.ctx = function () {
    return { actor: this.launch.actor, registration: this.launch.registration, lang: this.cfg.lang,
      context: this.launchData.contextTemplate, timestamp: this.stamp(), base: this.cfg.activityBase,
      courseId: this.cfg.courseId };
  };

  // A cmi5-defined statement about this AU: the cmi5 category, the moveOn category on
  // completed/passed/failed, the masteryScore extension on passed/failed when there is one.
  Session.prototype.defined = function (verb, result) {
    var judged = verb === "completed" || verb === "passed" || verb === "failed";
    var context = { contextActivities: { category: judged ? [CATEGORY, MOVEON] : [CATEGORY] } };
    var mastery = this.lmsMastery();
    if ((verb === "passed" || verb === "failed") && mastery !== null) {
      context.extensions = {};
      context.extensions[MASTERY] = mastery;
    }
    var object = { objectType: "Activity", id: this.launch.activityId };
    this.queued[verb] = true;
    return this.xapi.statement(verb, object, result || null, this.ctx(), context);
  };

  Session.prototype.enqueue = function (statement) {
    if (this.terminated || !statement) return;
    this.queue.push(statement);
    this.keep();
    this.pump();
  };

  // Send the queue in order, one statement at a time (PUT with its id, so a retry of one the
  // LMS already has changes nothing). A network error or a 5xx waits and tries again; a
  // statement the LMS refuses (4xx) is dropped: sending it again would not help.
  Session.prototype.pump = function () {
    var self = this;
    if (this.sending || !this.queue.length || !this.token || this.retryTimer) return;
    var statement = this.queue[0];
    this.sending = true;
    this.request("PUT", "statements", { statementId: statement.id }, statement).then(function (response) {
      self.sending = false;
      if (response.status >= 500) { self.retryLater("HTTP " + response.status); return; }
      if (response.ok || response.status === 409) {
        self.accepted(statement);
      } else {
        self.note("refused", response.status + " " + verbOf(statement));
      }
      self.queue.shift();
      self.retries = 0;
      self.keep();
      self.pump();
    }).catch(function (err) {
      self.sending = false;
      self.retryLater(String(err && err.message || err));
    });
  };

  Session.prototype.accepted = function (statement) {
    var verb = verbOf(statement);
    this.note("sent", verb);
    if ((verb === "completed" || verb === "passed") && isDefined(statement)) {
      this.delivered[verb] = true;
      this.saveSoon();
    }
  };

  Session.prototype.retryLater = function (why) {
    var self = this;
    this.note("retry", why);
    showNote(t("Your answers are kept and will be sent to the LMS when the connection returns."));
    if (this.retryTimer || this.terminated) return;
    var wait = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.retryTimer = setTimeout(function () { self.retryTimer = null; self.pump(); }, wait);
  };

  Session.prototype.retryNow = function () {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.pump();
  };

  /* ---- progress and verdicts ------------------------------------------------------------ */

  // masteryScore from LMS.LaunchData (0..1), or null when the LMS gave none.
  Session.prototype.lmsMastery = function () {
    var m = this.launchData && this.launchData.masteryScore;
    return typeof m === "number" && m >= 0 && m <= 1 ? m : null;
  };

  // The mastery score that decides: the LMS's, else the unit's own (its pass mark).
  Session.prototype.mastery = function () {
    var lms = this.lmsMastery();
    if (lms !== null) return lms;
    return typeof this.cfg.masteryScore === "number" ? this.cfg.masteryScore : 1;
  };

  Session.prototype.summary = function () {
    var t = this.unit.tally(this.track);
    var scaled = t.max > 0 ? Math.round(t.score / t.max * 10000) / 10000 : 0;
    return { quizzes: t.quizzes > 0 && t.max > 0, tried: t.tried, lessons: t.lessons,
      score: t.score, max: t.max, scaled: scaled,
      passed: t.tried && t.max > 0 && scaled >= this.mastery() };
  };

  // The unit's rules (docs/formats.md): completed once every lesson was opened and every
  // quiz submitted; passed once the best scores reach the mastery score, failed (sent when
  // the session ends) when every quiz was submitted and they do not. Browse and Review send
  // neither; completed and passed go once per registration, passed or failed once a session.
  Session.prototype.evaluate = function () {
    if (!this.tracking || this.terminated || this.mode !== "Normal") return;
    var s = this.summary();
    var spent = this.xapi.duration(Date.now() - this.started);
    if (s.lessons && s.tried && !this.delivered.completed && !this.queued.completed) {
      this.enqueue(this.defined("completed", { completion: true, duration: spent }));
    }
    if (!s.quizzes || !s.tried || this.delivered.passed || this.queued.passed) return;
    if (s.passed && !this.verdict) {
      this.verdict = "passed";
      this.failedPending = false;
      this.enqueue(this.defined("passed", this.judged(s, true, spent)));
    } else if (!s.passed) {
      this.failedPending = !this.verdict;
    }
  };

  Session.prototype.judged = function (s, success, spent) {
    var score = this.xapi.score(s.score, s.max);
    score.scaled = s.scaled;
    return { success: success, score: score, duration: spent };
  };

  /* ---- events from the course pages ------------------------------------------------------ */

  Session.prototype.pageShown = function (win) {
    var rel = this.unit.shown(win);
    if (!rel) return;
    this.location = rel;
    var lesson = this.cfg.lessons.indexOf(rel.split("#")[0]);
    if (lesson >= 0 && this.track.v.indexOf(lesson) < 0) this.track.v.push(lesson);
    this.saveSoon();
    this.evaluate();
  };

  // A submitted quiz: one "answered" per question (cmi5 "allowed" statements: the context
  // template, no cmi5 category), then the unit's verdicts.
  Session.prototype.quizSubmitted = function (d, data) {
    if (!d || !Object.prototype.hasOwnProperty.call(this.cfg.quizzes, d.quizId)) return;
    var max = Number(d.maxScore) || 0, score = Number(d.score) || 0;
    var best = this.track.q[d.quizId];
    var ratio = max > 0 ? score / max : 0;
    var n = best ? best.n + 1 : 1;
    if (!best || ratio > (best.m > 0 ? best.b / best.m : 0)) best = { b: score, m: max };
    best.n = n;
    this.track.q[d.quizId] = best;
    if (!this.tracking || this.terminated) return;
    var self = this, questions = data && data.questions || {};
    (d.interactions || []).forEach(function (it) {
      var question = questions[it.id];
      if (!question) return;
      var ctx = self.ctx();
      ctx.quizId = d.quizId;
      ctx.points = Number(it.weighting) || 0;
      var outcome = { score: it.score, result: it.result === "neutral" ? "pending" : it.result };
      self.enqueue(self.xapi.answered(Object.assign({ id: it.id }, question), it.learnerResponse, outcome, ctx));
    });
    this.saveSoon();
    this.evaluate();
  };

  Session.prototype.progressChanged = function (state) {
    this.runtimeState = state;
    this.saveSoon();
  };

  /* ---- the end of the session ------------------------------------------------------------ */

  // Leaving (the page is hidden for good, or the learner exits): a failed verdict still due,
  // then terminated, all sent with keepalive so they leave even as the page closes; the
  // state document goes too. Nothing is sent after terminated.
  Session.prototype.finish = function () {
    if (!this.tracking || this.terminated) return Promise.resolve();
    if (this.mode === "Normal" && this.failedPending && !this.verdict && !this.delivered.passed) {
      this.verdict = "failed";
      var s = this.summary();
      this.enqueue(this.defined("failed", this.judged(s, false, this.xapi.duration(Date.now() - this.started))));
    }
    this.queue.push(this.defined("terminated", { duration: this.xapi.duration(Date.now() - this.started) }));
    this.terminated = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.saveTimer);
    this.keep();
    var self = this, batch = this.queue.slice();
    var state = this.saveState(true);
    var sent = this.request("POST", "statements", null, batch, true).then(function (response) {
      if (response.ok) {
        batch.forEach(function (st) { self.accepted(st); });
        self.queue = [];
        self.keep();
      }
    }).catch(function () { self.note("retry", "at the end"); });
    return Promise.all([state, sent]);
  };

  function verbOf(statement) {
    return statement.verb.id.replace(/^.*\//, "");
  }

  function isDefined(statement) {
    var cats = statement.context && statement.context.contextActivities &&
      statement.context.contextActivities.category || [];
    return cats.some(function (c) { return c.id === CATEGORY.id; });
  }

  function showNote(text) {
    var bar = document.querySelector("[data-cmi5-bar]");
    if (!bar) return;
    var note = bar.querySelector("[data-cmi5-note]");
    if (!note) {
      note = document.createElement("p");
      note.setAttribute("data-cmi5-note", "");
      note.setAttribute("role", "status");
      note.style.margin = "0 auto 0 0";
      bar.insertBefore(note, bar.firstChild);
    }
    note.textContent = text;
    bar.hidden = false;
  }

  /* ---- the launch page ---------------------------------------------------------------- */

  function startLauncher(cfg) {
    var launch = launchParameters(window.location.search);
    var session = launch && window.CoursepackXapi ? new Session(cfg, launch) : null;
    var host = {
      session: session,
      attach: function (win) {
        var cp = win.coursepack;
        win.__coursepackCmi5Attached = true;
        if (!session || !session.tracking || !cp) return;
        if (typeof cp.setStore === "function") {
          cp.setStore({
            load: function () { return session.runtimeState; },
            save: function (state) { session.progressChanged(state); }
          });
        }
        if (session.runtimeState && typeof cp.restore === "function") cp.restore(session.runtimeState);
      },
      event: function (name, detail, win, data) {
        if (!session) return;
        if (name === "page-viewed") session.pageShown(win);
        if (name === "quiz-submitted") session.quizSubmitted(detail, data);
        if (name === "progress-changed" && win.__coursepackCmi5Attached && detail) session.progressChanged(detail.state);
      },
      page: function (win) { if (session) session.pageShown(win); },
      allows: function (win) { return !session || session.unit.keeps(win); },
      start: function () { return new window.CoursepackUnit.Unit(cfg).start(); },
      finish: function () { return session ? session.finish() : Promise.resolve(); }
    };
    window.coursepackCmi5 = host;
    function show() {
      var frame = document.getElementById("coursepack-content");
      frame.src = session ? session.unit.firstPage(session.location) : cfg.content + cfg.start;
      var exit = document.querySelector("[data-cmi5-exit]");
      var back = session && session.launchData && session.launchData.returnURL;
      if (exit && back) {
        exit.textContent = t("Exit");
        exit.parentNode.hidden = false;
        exit.addEventListener("click", function () {
          host.finish().then(function () { window.location.href = back; });
        });
      }
      if (session && session.error) showNote(t("This unit could not connect to the LMS: your progress here is not recorded."));
    }
    window.addEventListener("pagehide", function () { if (session) session.finish(); });
    window.addEventListener("online", function () { if (session) session.retryNow(); });
    var ready = session ? session.start() : Promise.resolve();
    ready.then(function () {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
      else show();
    });
  }

  /* ---- a course page inside the launch page --------------------------------------------- */

  function quizData() {
    var node = document.getElementById("quiz-data");
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }

  var node = document.getElementById("coursepack-au");
  if (node) {
    startLauncher(JSON.parse(node.textContent));
  } else {  // unit-pages.js passes the page's events on, with the quiz's data on submitting
    window.CoursepackUnit.bridge("coursepackCmi5", function (name) {
      return name === "quiz-submitted" ? quizData() : null;
    });
  }
})();
