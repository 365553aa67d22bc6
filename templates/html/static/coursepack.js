/* coursepack runtime: progress, events, self-grading quizzes and offline search.
 * Hand-written, no framework, no network: every page of the site loads this file.
 * Its API (window.coursepack: on, state, restore, setStore, reset), events (page-viewed,
 * quiz-submitted, progress-changed), progress format and quiz flow: docs/runtime.md.
 */
(function () {
  "use strict";

  var handlers = {};
  var body = null;
  var store = null;
  var progress = null;
  var started = false;
  var quiz = null;

  /* ---- events, store, state ---------------------------------------------------------- */

  function on(name, handler) {
    (handlers[name] = handlers[name] || []).push(handler);
  }

  function emit(name, detail) {
    (handlers[name] || []).forEach(function (handler) {
      try { handler(detail); } catch (err) { if (window.console) console.error(err); }
    });
    document.dispatchEvent(new CustomEvent("coursepack:" + name, { detail: detail }));
  }

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function localStore(courseId) {
    var key = "coursepack:" + courseId;
    return {
      load: function () {
        try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (err) { return null; }
      },
      save: function (state) {
        try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (err) { /* private mode */ }
      }
    };
  }

  function normalise(state) {
    var s = state && typeof state === "object" ? copy(state) : {};
    return { v: 1, l: Array.isArray(s.l) ? s.l : [], q: s.q && typeof s.q === "object" ? s.q : {} };
  }

  function ensureStore() {
    if (!store) store = localStore(document.body ? document.body.getAttribute("data-course-id") || "course" : "course");
    return store;
  }

  function save() {
    ensureStore().save(copy(progress));
    emit("progress-changed", { state: copy(progress) });
  }

  // Record a quiz's submission in progress and announce it (a quiz page's submit, and the
  // test hook _submit for LMS adapters).
  function submitted(detail) {
    var q = progress.q[detail.quizId] || (progress.q[detail.quizId] = { a: 0 });
    q.a = detail.attempt;
    q.s = Math.round(detail.score * 100) / 100;
    q.m = detail.maxScore;
    q.b = Math.max(q.b || 0, Math.round(detail.scaled * 10000) / 100);
    if (detail.passed) q.p = 1;
    emit("quiz-submitted", detail);
    save();
  }

  function api() {
    return {
      on: on,
      state: function () { return copy(progress || normalise(ensureStore().load())); },
      restore: function (state) { progress = normalise(state); save(); if (started) renderAll(); },
      setStore: function (newStore) {
        store = newStore;
        if (started) { progress = normalise(store.load()); renderAll(); }
      },
      reset: function () { progress = normalise(null); save(); if (started) renderAll(); },
      _submit: submitted
    };
  }

  /* ---- small DOM helpers ------------------------------------------------------------- */

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function announce(text) {
    var live = document.getElementById("cp-live");
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 60);
  }

  function fmt(n) {
    return String(Math.round(n * 100) / 100);
  }

  // A sentence of ours around what the learner typed (where `sentence` holds TYPED): the typed
  // text goes in a <bdi>, so its own direction (a Latin word on an Arabic page, Arabic on an
  // English one) does not reorder the sentence.
  var TYPED = "\u0000";
  function sayAround(node, sentence, typed) {
    var parts = sentence.split(TYPED);
    node.textContent = parts[0];
    node.appendChild(el("bdi", "", typed));
    node.appendChild(document.createTextNode(parts.slice(1).join("")));
  }

  /* ---- interface words: assets/messages.js holds them in the course's language ----------- */

  var WORDS = window.coursepackMessages || {};
  var SAID = WORDS.messages || {};

  // `message` in the course's language, its %(name)s placeholders filled from `params`
  // (placeholders without a value stay, for a second fill).
  function t(message, params) {
    return fill(typeof SAID[message] === "string" ? SAID[message] : message, params);
  }

  // The form of a message for the count `n` (shown as %(num)s), by the language's plural rule.
  function nt(singular, plural, n, params) {
    var count = n % 1 ? 102 : Math.abs(n), forms = SAID[singular];
    var index = WORDS.rule ? Number(WORDS.rule(count)) : count !== 1 ? 1 : 0;
    var text = Array.isArray(forms) ? forms[Math.min(index, forms.length - 1)] : index ? plural : singular;
    var values = { num: fmt(n) };
    Object.keys(params || {}).forEach(function (k) { values[k] = params[k]; });
    return fill(text, values);
  }

  function fill(text, params) {
    return text.replace(/%\((\w+)\)s|%%/g, function (whole, name) {
      if (!name) return params ? "%" : whole;
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  }

  /* ---- progress on every page -------------------------------------------------------- */

  function quizSummary(id) {
    var q = progress.q[id];
    if (!q || !q.a) return t("not attempted yet");
    var best = { score: fmt(q.b || 0) };
    var text = q.p ? t("best score %(score)s%%, passed", best) : t("best score %(score)s%%, not passed yet", best);
    return text + " (" + nt("%(num)s attempt", "%(num)s attempts", q.a) + ")";
  }

  // A tick after a contents link, in an icon and in words (symbol "" removes it).
  function tick(link, symbol, words) {
    var old = link.querySelector("[data-tick]");
    if (old) old.parentNode.removeChild(old);
    if (!symbol) return;
    var span = link.appendChild(el("span", "tick"));
    span.setAttribute("data-tick", "");
    span.appendChild(el("span", "", " " + symbol)).setAttribute("aria-hidden", "true");
    span.appendChild(el("span", "visually-hidden", " (" + words + ")"));
  }

  function markVisited(link) {
    tick(link, progress.l.indexOf(link.getAttribute("data-lesson-key")) >= 0 ? "✓" : "", t("read"));
  }

  function hasProgress() {
    if (progress.l.length) return true;
    return Object.keys(progress.q).some(function (id) {
      var q = progress.q[id];
      return q && (q.a > 0 || (q.c && q.c.r && Object.keys(q.c.r).length > 0));
    });
  }

  // A step of the course path is done once its lesson was opened or its quiz submitted.
  function stepDone(step) {
    if (step.kind === "lesson") return progress.l.indexOf(step.key) >= 0;
    var q = progress.q[step.key];
    return !!(q && q.a > 0);
  }

  function readJson(node, name) {
    try { return JSON.parse(node.getAttribute(name) || "null"); } catch (err) { return null; }
  }

  // A block with data-steps lists its steps (exporters/html/path.py); its
  // "Start" link becomes "Continue" to the first step not done, or leads on once all are.
  function renderPath(node) {
    var steps = readJson(node, "data-steps") || [];
    var done = steps.filter(stepDone).length;
    var next = steps.filter(function (step) { return !stepDone(step); })[0];
    var after = readJson(node, "data-after");
    all(node, "[data-path-progress]").forEach(function (text) {
      text.textContent = done === 0 ? nt("Not started: %(num)s step.", "Not started: %(num)s steps.", steps.length) : next ?
        nt("%(done)s of %(num)s step done.", "%(done)s of %(num)s steps done.", steps.length, { done: done }) :
        nt("%(done)s of %(num)s step done: all done.", "%(done)s of %(num)s steps done: all done.", steps.length, { done: done });
    });
    all(node, "[data-path-bar]").forEach(function (bar) {
      bar.style.width = (steps.length ? Math.round(done / steps.length * 100) : 0) + "%";
    });
    node.classList.toggle("is-done", steps.length > 0 && !next);
    var link = node.querySelector("[data-continue]");
    if (!link) return;
    var label = link.querySelector("[data-continue-label]");
    var title = link.querySelector("[data-continue-title]");
    if (!link.start) link.start = { href: link.getAttribute("href"), label: label.textContent, title: title ? title.textContent : "" };
    var target = done === 0 ? null : next || after;
    label.textContent = done === 0 ? link.start.label : next ? t("Continue") : after ? t("Next") : t("Review");
    link.setAttribute("href", target ? target.href : link.start.href);
    if (title) title.textContent = target ? ": " + target.title : done === 0 ? link.start.title : "";
  }

  function renderSteps() {
    all(document, "[data-step-key]").forEach(function (item) {
      var step = { kind: item.getAttribute("data-step-kind"), key: item.getAttribute("data-step-key") };
      item.classList.toggle("is-done", stepDone(step));
    });
    all(document, "[data-step-status]").forEach(function (node) {
      var text = quizSummary(node.getAttribute("data-step-status"));
      node.textContent = text.charAt(0).toUpperCase() + text.slice(1) + ".";
    });
  }

  function markQuizLink(link) {
    var q = progress.q[link.getAttribute("data-quiz-link")];
    tick(link, !q || !q.a ? "" : q.p ? "✓" : "•", q && q.p ? t("passed") : t("attempted"));
  }

  function renderProgress() {
    var links = all(document, "[data-lesson-key]");
    links.forEach(markVisited);
    all(document, "[data-quiz-link]").forEach(markQuizLink);
    var keys = {};
    links.forEach(function (a) { keys[a.getAttribute("data-lesson-key")] = true; });
    var total = Object.keys(keys).length;
    var seen = Object.keys(keys).filter(function (k) { return progress.l.indexOf(k) >= 0; }).length;
    var any = hasProgress();
    all(document, "[data-progress-summary]").forEach(function (node) {
      node.textContent = (any ? nt("You have opened %(seen)s of %(num)s lessons.", "You have opened %(seen)s of %(num)s lessons.", total, { seen: seen }) :
        t("Nothing yet: start with the first module.")) + " " + t("Your progress is kept in this browser only.");
    });
    all(document, "[data-quiz-progress]").forEach(function (node) {
      node.textContent = quizSummary(node.getAttribute("data-quiz-progress"));
    });
    all(document, "[data-steps]").forEach(renderPath);
    renderSteps();
    all(document, "[data-reset-progress]").forEach(function (button) { button.hidden = !any; });
  }

  /* ---- confirmation dialogs (reset, submit) ---------------------------------------------- */

  // A <dialog> whose <form method="dialog"> holds a [data-confirm] button: `done(yes)` runs
  // once it closes, yes only for that button (Escape, another button or a link: no). Returns
  // the function that opens it and moves the focus to `focus` (else its autofocus control).
  function confirmDialog(dialog, done) {
    dialog.addEventListener("close", function () {
      done(dialog.returnValue === dialog.querySelector("[data-confirm]").value);
    });
    return function (focus) {
      dialog.returnValue = "";
      dialog.showModal();
      if (focus) focus.focus();
    };
  }

  function startReset() {
    var button = document.querySelector("[data-reset-progress]");
    var dialog = document.querySelector("[data-reset-dialog]");
    if (!button || !dialog) return;
    var open = confirmDialog(dialog, function (yes) {
      if (!yes) { button.focus(); return; }
      window.coursepack.reset();
      announce(t("Your progress has been reset."));
      (document.querySelector("[data-continue]") || document.getElementById("main")).focus();
    });
    button.addEventListener("click", function () { open(); });
  }

  /* ---- the menu on small screens: a button that opens and closes it ----------------------- */

  function startMenu() {
    var link = document.querySelector("[data-menu-toggle]");
    var menu = document.getElementById("menu");
    if (!link || !menu) return;
    var button = el("button", "menu-toggle", link.textContent);
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "menu");
    link.parentNode.replaceChild(button, link);
    document.documentElement.classList.add("has-menu-button");
    function toggle(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function () { toggle(!menu.classList.contains("is-open")); });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("is-open")) {
        toggle(false);
        button.focus();
      }
    });
    var close = menu.querySelector(".menu-close");
    if (close) {
      close.addEventListener("click", function (event) {
        event.preventDefault();
        toggle(false);
        button.focus();
      });
    }
  }

  function renderAll() {
    renderProgress();
    if (quiz) quiz.render();
  }

  /* ---- seeded randomness: one seed per attempt gives its draw and every shuffle ---------- */

  function random(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffle(list, rng) {
    var out = list.slice();
    for (var i = out.length - 1; i > 0; i--) {
      var j = Math.floor(rng() * (i + 1));
      var t = out[i]; out[i] = out[j]; out[j] = t;
    }
    return out;
  }

  function newSeed() {
    return Math.floor(Math.random() * 4294967296);
  }

  /* ---- quizzes ------------------------------------------------------------------------ */

  var RESULT_TEXT = {
    correct: t("Correct"), partial: t("Partly correct"), incorrect: t("Incorrect"),
    pending: t("Recorded: a trainer will mark this answer"), neutral: ""
  };
  var SCORM_RESULT = {
    correct: "correct", partial: "incorrect", incorrect: "incorrect", pending: "neutral", neutral: "neutral"
  };

  function Quiz(data, root) {
    this.data = data;
    this.form = root.querySelector("[data-quiz-form]");
    this.result = root.querySelector("[data-quiz-result]");
    this.status = root.querySelector("[data-quiz-status]");
    this.map = root.querySelector("[data-quiz-map]");
    this.dialog = root.querySelector("[data-submit-dialog]");
    this.sections = {};
    this.original = {};
    var self = this;
    all(this.form, "[data-question]").forEach(function (section) {
      var id = section.getAttribute("data-question");
      self.sections[id] = section;
      self.original[id] = self.childrenToShuffle(section);
    });
    this.actions = this.form.querySelector(".quiz-actions");
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.ask(); });
    // Enter in a typed answer means "done with this field", never "submit the attempt": a
    // browser submits a form on Enter in any text field, which used up an attempt.
    this.form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing || !event.target.matches("input")) return;
      event.preventDefault();
      if (event.target.matches("[type=radio], [type=checkbox]")) return;
      self.changed(event.target);
      var fields = all(self.form, "input, select, textarea, fieldset button, [data-submit]").filter(function (f) {
        return !f.disabled && f.offsetParent !== null;
      });
      var next = fields[fields.indexOf(event.target) + 1];
      if (next) next.focus();
    });
    this.form.addEventListener("change", function (event) { self.changed(event.target); });
    // Typed answers are kept while the learner types, not only when the field loses focus,
    // so a reload or a closed tab loses nothing.
    var typing = null;
    this.form.addEventListener("input", function (event) {
      if (!event.target.matches("input[type=text], input[type=number], input:not([type]), textarea")) return;
      clearTimeout(typing);
      if (event.target.matches("[data-essay]")) self.countWords(event.target, true);
      typing = setTimeout(function () { self.changed(event.target); }, 300);
    });
    this.form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (button) self.move(button);
      button = event.target.closest("[data-flag]");
      if (button) self.flag(button);
    });
    // Links to a question or to the result move the focus there, out of the dialog if open.
    root.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-goto]");
      if (!link) return;
      event.preventDefault();
      self.close(document.getElementById(link.hash.slice(1)));
    });
    root.querySelector("[data-retry]").addEventListener("click", function () { self.retry(); });
    // Confirming submits; anything else returns to the submit button (or the question a link
    // in the dialog names), having changed nothing.
    this.openDialog = confirmDialog(this.dialog, function (yes) {
      if (yes) self.submit(); else (self.after || self.form.querySelector("[data-submit]")).focus();
      self.after = null;
    });
    this.form.hidden = false;
  }

  Quiz.prototype.childrenToShuffle = function (section) {
    return {
      options: all(section, "[data-option]"),
      answers: all(section, "select[data-prompt]").map(function (s) { return all(s, "option[value]:not([value=''])"); }),
      blanks: all(section, "select[data-blank]").map(function (s) { return all(s, "option[value]:not([value=''])"); }),
      items: all(section, "[data-item]")
    };
  };

  Quiz.prototype.record = function () {
    var q = progress.q[this.data.id];
    if (!q) q = progress.q[this.data.id] = { a: 0 };
    return q;
  };

  Quiz.prototype.attempt = function () {
    var q = this.record();
    if (!q.c) { q.c = { k: newSeed(), r: {} }; save(); }
    return q.c;
  };

  Quiz.prototype.attemptsLeft = function () {
    var limit = this.data.attempts;
    return limit ? Math.max(0, limit - (this.record().a || 0)) : Infinity;
  };

  Quiz.prototype.draw = function (rng) {
    var data = this.data;
    var drawn = data.fixed.slice();
    var poolOf = {};
    data.pools.forEach(function (pool) {
      var free = pool.questions.filter(function (id) { return drawn.indexOf(id) < 0; });
      shuffle(free, rng).slice(0, pool.pick).forEach(function (id) { drawn.push(id); poolOf[id] = pool; });
    });
    if (data.shuffleQuestions) {
      var movable = drawn.filter(function (id) { return data.questions[id].key.type !== "description"; });
      var order = shuffle(movable, rng);
      drawn = drawn.map(function (id) { return data.questions[id].key.type === "description" ? id : order.shift(); });
    }
    this.poolOf = poolOf;
    return drawn;
  };

  Quiz.prototype.key = function (id) {
    var key = this.data.questions[id].key;
    var pool = this.poolOf[id];
    if (pool && pool.points !== null && pool.points !== undefined) {
      key = Object.assign({}, key, { points: pool.points });
    }
    return key;
  };

  Quiz.prototype.arrange = function (id, rng) {
    var section = this.sections[id];
    var original = this.original[id];
    // A question whose template marks data-keep-order (true/false) keeps its natural order;
    // everything else follows the quiz's setting.
    var shuffleOptions = this.data.shuffleOptions && !section.querySelector("[data-keep-order]");
    function place(nodes) {
      if (!nodes.length) return;
      var parent = nodes[0].parentNode;
      (shuffleOptions ? shuffle(nodes, rng) : nodes).forEach(function (n) { parent.appendChild(n); });
    }
    place(original.options);
    original.answers.forEach(place);
    original.blanks.forEach(place);
    if (original.items.length) {
      var items = shuffle(original.items, rng);
      if (items.length > 1 && items.every(function (n, i) { return n === original.items[i]; })) {
        items.push(items.shift());
      }
      items.forEach(function (n) { n.parentNode.appendChild(n); });
    }
    section.classList.remove("is-correct", "is-partial", "is-incorrect", "is-pending");
  };

  Quiz.prototype.render = function () {
    var attempt = this.attempt();
    var rng = random(attempt.k);
    var drawn = this.drawn = this.draw(rng);
    var self = this;
    Object.keys(this.sections).forEach(function (id) { self.sections[id].hidden = drawn.indexOf(id) < 0; });
    var number = 0;
    var scored = this.questions();
    drawn.forEach(function (id) {
      self.form.insertBefore(self.sections[id], self.actions);
      self.arrange(id, rng);
      var label = self.sections[id].querySelector("[data-q-number]");
      if (label) label.textContent = t("Question %(n)s of %(total)s", { n: ++number, total: scored.length });
      writeResponse(self.sections[id], attempt.r[id] || null);
    });
    all(this.form, "[data-essay]").forEach(function (input) { self.countWords(input); });
    if (attempt.d) this.review(); else this.open();
  };

  // The drawn questions a learner answers (descriptions are not questions).
  Quiz.prototype.questions = function () {
    var q = this.data.questions;
    return this.drawn.filter(function (id) { return q[id].key.type !== "description"; });
  };

  // How far question `id` is answered: [state, why], state "done", "part", "none" or "long".
  Quiz.prototype.statusOf = function (id) {
    var r = responseOf(this.sections[id]);
    return r.kind.status(r.root, r.kind.read(r.root), !!this.attempt().r[id]);
  };

  var MAP = { done: ["✓", t("answered")], part: ["◐", t("partly answered")], none: ["○", t("not answered")], long: ["!", t("too long")] };

  // The question map: each question's state in words and an icon, and its flag.
  Quiz.prototype.renderMap = function () {
    var self = this, flags = this.attempt().f || [], list = this.map.querySelector("ol"), done = 0, flagged = 0;
    list.textContent = "";
    this.questions().forEach(function (id, i) {
      var state = self.statusOf(id)[0], flag = flags.indexOf(id) >= 0, a = self.link(id, "");
      self.sections[id].querySelector("[data-flag]").setAttribute("aria-pressed", flag);
      done += state === "done";
      flagged += flag;
      a.className = "map-item is-" + state + (flag ? " is-flagged" : "");
      a.appendChild(el("span", "visually-hidden", t("Question") + " "));
      a.appendChild(el("span", "", i + 1));
      icon(a, MAP[state][0] + (flag ? "⚑" : ""));
      a.appendChild(el("span", "visually-hidden", ": " + MAP[state][1] + (flag ? ", " + t("flagged") : "")));
      list.appendChild(el("li")).appendChild(a);
    });
    var counts = { done: done, total: this.questions().length, flagged: flagged };
    this.map.querySelector("[data-map-count]").textContent = flagged ?
      t("%(done)s of %(total)s answered, %(flagged)s flagged.", counts) : t("%(done)s of %(total)s answered.", counts);
  };

  // A link that moves the focus to question `id`'s heading, or to the element of that id.
  Quiz.prototype.link = function (id, text) {
    var a = el("a", "", text);
    a.href = "#" + (this.sections[id] ? this.sections[id].id + "-title" : id);
    a.setAttribute("data-goto", "");
    return a;
  };

  function icon(parent, text) {
    parent.appendChild(el("span", "icon", text)).setAttribute("aria-hidden", "true");
  }

  // Linked questions with a note each: [{id, n, text, icon, className}].
  Quiz.prototype.list = function (items) {
    var self = this, ul = el("ul", "check-list");
    items.forEach(function (item) {
      var li = ul.appendChild(el("li", item.className));
      if (item.icon) icon(li, item.icon + " ");
      li.appendChild(self.link(item.id, t("Question %(n)s", { n: item.n })));
      li.appendChild(document.createTextNode(": " + item.text));
    });
    return ul;
  };

  Quiz.prototype.flag = function (button) {
    var attempt = this.attempt(), flags = attempt.f = attempt.f || [];
    var id = button.closest("[data-question]").getAttribute("data-question");
    if (flags.indexOf(id) < 0) flags.push(id); else flags.splice(flags.indexOf(id), 1);
    save();
    this.renderMap();
  };

  Quiz.prototype.close = function (target) {
    if (this.dialog.open) { this.after = target; this.dialog.close(); } else if (target) target.focus();
  };

  /* Submitting asks first unless every question is answered, none is flagged and attempts are
   * unlimited; nothing is recorded until the learner confirms. An essay over its word limit
   * stops the submission: the dialog then offers only the way back to it. */
  Quiz.prototype.ask = function () {
    if (this.attempt().d) return;
    var self = this, flags = this.attempt().f || [], check = [], long = [], done = 0;
    var limit = this.data.attempts, left = this.attemptsLeft() - 1, n = this.questions().length;
    this.questions().forEach(function (id, i) {
      var status = self.statusOf(id), flag = flags.indexOf(id) >= 0;
      var text = [status[1], flag && t("flagged for review")].filter(Boolean).join("; ");
      done += status[0] === "done";
      if (text) (status[0] === "long" ? long : check).push({ id: id, n: i + 1, text: text });
    });
    if (!check.length && !long.length && !limit) { this.submit(); return; }
    var body = this.dialog.querySelector("[data-dialog-body]"), title = this.dialog.querySelector("h2");
    body.textContent = "";
    this.dialog.querySelector("[data-confirm]").hidden = long.length > 0;
    title.textContent = long.length ? t("Shorten your answer first") : t("Submit your answers?");
    body.appendChild(el("p", "", long.length ? t("An answer is over its word limit, so the quiz cannot be submitted yet.") :
      nt("You have answered %(done)s of %(num)s question.", "You have answered %(done)s of %(num)s questions.", n, { done: done }) +
      (check.length ? " " + t("Check these before you submit:") : "")));
    body.appendChild(this.list(long.length ? long : check));
    if (!long.length) {
      body.appendChild(el("p", "", !limit ? t("You can try again afterwards as often as you like.") :
        t("This uses attempt %(n)s of %(total)s:", { n: limit - left, total: limit }) + " " +
        (left ? nt("you will have %(num)s attempt left.", "you will have %(num)s attempts left.", left) : t("it is your last."))));
    }
    this.openDialog(title);
  };

  // An essay's word count below it; a screen reader hears it only when it crosses a limit.
  Quiz.prototype.countWords = function (input, typing) {
    var min = Number(input.getAttribute("data-min-words")) || 0;
    var max = Number(input.getAttribute("data-max-words")) || 0;
    var n = wordCount(input.value), state = max && n > max ? "over" : n < min ? "under" : "ok";
    var text = untouched(input) && input.defaultValue.trim() ? t("Outline not filled in yet.") :
      state === "over" ? nt("%(num)s word, %(over)s over the limit.", "%(num)s words, %(over)s over the limit.", n, { over: n - max }) :
      state === "under" ? nt("%(num)s word, %(more)s more needed.", "%(num)s words, %(more)s more needed.", n, { more: min - n }) :
      nt("%(num)s word.", "%(num)s words.", n);
    input.parentNode.querySelector("[data-word-count]").textContent = text;
    input.setAttribute("aria-invalid", state === "over");
    if (typing && (min || max) && state !== input.wordState) announce(text);
    input.wordState = state;
  };

  function wordCount(text) {
    return (text.match(/\S+/g) || []).filter(function (w) { return /[\p{L}\p{N}]/u.test(w); }).length;
  }

  function squash(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  // A typed answer still as the page gave it: empty, or an essay's outline left unchanged.
  function untouched(input) {
    return squash(input.value) === squash(input.defaultValue);
  }

  Quiz.prototype.open = function () {
    var self = this;
    this.drawn.forEach(function (id) {
      var section = self.sections[id];
      all(section, "fieldset").forEach(function (f) { f.disabled = false; });
      all(section, "[data-feedback], [data-option-feedback]").forEach(function (n) { n.hidden = true; n.textContent = ""; });
      all(section, "[data-mark]").forEach(function (n) { n.parentNode.removeChild(n); });
    });
    this.actions.hidden = this.map.hidden = false;
    this.result.hidden = true;
    all(this.form, "[data-flag]").forEach(function (b) { b.hidden = false; });
    this.renderMap();
    var q = this.record();
    var limit = this.data.attempts;
    var which = { n: (q.a || 0) + 1, total: limit };
    this.status.textContent = (limit ? t("Attempt %(n)s of %(total)s.", which) : t("Attempt %(n)s.", which)) +
      (q.a ? " " + t("Best score so far: %(score)s%%.", { score: fmt(q.b || 0) }) : "");
  };

  Quiz.prototype.changed = function (target) {
    var section = target.closest("[data-question]");
    if (!section) return;
    var attempt = this.attempt();
    if (attempt.d) return;
    attempt.r[section.getAttribute("data-question")] = readResponse(section);
    save();
    this.renderMap();
  };

  Quiz.prototype.move = function (button) {
    var item = button.closest("[data-item]");
    var up = button.getAttribute("data-move") === "up";
    var sibling = up ? item.previousElementSibling : item.nextElementSibling;
    var text = item.querySelector(".order-text").textContent;
    if (sibling) {
      item.parentNode.insertBefore(item, up ? sibling : sibling.nextElementSibling);
      button.focus();
      this.changed(item);
    }
    var items = all(item.parentNode, "[data-item]");
    announce(text + ": position " + (items.indexOf(item) + 1) + " of " + items.length +
      (sibling ? "" : up ? " (already first)" : " (already last)"));
  };

  /* A question's template declares the kind of response its inputs give, with
   * data-response="<kind>" on the element around them (description: "none"). Each kind reads
   * the response as LMS tokens, restores it (null: the page's own state), and marks the
   * controls in the review from the question's grading key:
   *   choice  checked inputs' values, sorted; key.correct is an id or a list of ids
   *   pairs   "<data-prompt>.<value>" per chosen select[data-prompt]; key.pairs {prompt: value}
   *   order   [data-item] ids as placed; key.correct lists the ids in order
   *   blanks  each [data-blank]'s value; key.blanks, one per blank, for grading.js
   *   text    the [data-answer] field's value, cut to data-keep characters if given
   *   none    nothing to answer
   * Each kind also says how far its tokens answer the question (status: [state, why], state
   * "done", "part", "none" or "long"); `touched` tells whether the learner changed it at all.
   * So a new question type whose template reuses one of these kinds needs no change here. */
  var RESPONSES = {
    choice: {
      read: function (root) { return all(root, "input:checked").map(function (i) { return i.value; }).sort(); },
      write: function (root, tokens) {
        all(root, "input").forEach(function (i) { i.checked = !!tokens && tokens.indexOf(i.value) >= 0; });
      },
      mark: function (root, item, reveal, fb) { markOptions(root, item, reveal, fb.options || {}); },
      status: function (root, tokens) { return tokens.length ? ["done"] : ["none", t("not answered")]; }
    },
    pairs: {
      read: function (root) {
        return all(root, "select[data-prompt]").filter(function (s) { return s.value; })
          .map(function (s) { return s.getAttribute("data-prompt") + "." + s.value; });
      },
      write: function (root, tokens) {
        var given = {};
        (tokens || []).forEach(function (t) { var p = t.split("."); given[p[0]] = p.slice(1).join("."); });
        all(root, "select[data-prompt]").forEach(function (s) { s.value = given[s.getAttribute("data-prompt")] || ""; });
      },
      mark: function (root, item) {
        all(root, "select[data-prompt]").forEach(function (s) { mark(s, item.key.pairs[s.getAttribute("data-prompt")] === s.value); });
      },
      status: function (root, tokens) { return some(tokens, all(root, "select[data-prompt]").length, t("%(n)s of %(total)s matched")); }
    },
    order: {
      read: function (root) { return all(root, "[data-item]").map(function (li) { return li.getAttribute("data-item"); }); },
      write: function (root, tokens) {
        if (!tokens) return;
        var list = root.matches("[data-order]") ? root : root.querySelector("[data-order]");
        tokens.forEach(function (id) {
          var li = list.querySelector('[data-item="' + id + '"]');
          if (li) list.appendChild(li);
        });
      },
      mark: function (root, item) {
        if (!item.response.length) return;  // never put in order: nothing to mark
        all(root, "[data-item]").forEach(function (li, i) { mark(li.querySelector(".order-text"), item.key.correct[i] === li.getAttribute("data-item")); });
      },
      // Items start out of order, so a list never moved is no answer.
      status: function (root, tokens, touched) { return touched ? ["done"] : ["none", t("not put in order yet")]; }
    },
    blanks: {
      read: function (root) { return all(root, "[data-blank]").map(function (i) { return i.value; }); },
      write: function (root, tokens) {
        all(root, "[data-blank]").forEach(function (i, n) { i.value = tokens && tokens[n] !== undefined ? tokens[n] : ""; });
      },
      mark: function (root, item) {
        all(root, "[data-blank]").forEach(function (input, i) {
          mark(input, window.coursepackGrading.blankAccepted(item.key.blanks[i], input.value));
        });
      },
      status: function (root, tokens) { return some(tokens.filter(function (t) { return t.trim(); }), tokens.length, t("%(n)s of %(total)s filled in")); }
    },
    text: {
      read: function (root) {
        var keep = root.getAttribute("data-keep");
        var input = root.querySelector("[data-answer]");
        var value = untouched(input) ? "" : input.value;
        return [keep ? value.slice(0, Number(keep)) : value];
      },
      write: function (root, tokens) {
        var input = root.querySelector("[data-answer]");
        input.value = tokens && tokens[0] || input.defaultValue;
      },
      mark: function () {},
      status: function (root, tokens) {
        var input = root.querySelector("[data-answer]");
        if (!tokens[0].trim()) return ["none", input.defaultValue.trim() ? t("outline not filled in") : t("not answered")];
        var n = wordCount(input.value);
        var min = Number(input.getAttribute("data-min-words")) || 0;
        var max = Number(input.getAttribute("data-max-words")) || 0;
        if (max && n > max) return ["long", nt("%(num)s word, at most %(max)s allowed", "%(num)s words, at most %(max)s allowed", n, { max: max })];
        return n < min ? ["none", nt("%(num)s word, at least %(min)s needed", "%(num)s words, at least %(min)s needed", n, { min: min })] : ["done"];
      }
    },
    none: {
      read: function () { return []; },
      write: function () {},
      mark: function () {},
      status: function () { return ["done"]; }
    }
  };

  // The status of a response of `total` parts of which `given` are given (`what` says so).
  function some(given, total, what) {
    if (given.length >= total) return ["done"];
    return given.length ? ["part", fill(what, { n: given.length, total: total })] : ["none", t("not answered")];
  }

  // The element declaring a question's response kind, and that kind; an Error naming the
  // question type when its template declares none or one this runtime does not know.
  function responseOf(section) {
    var root = section.querySelector("[data-response]");
    var kind = root ? root.getAttribute("data-response") : null;
    if (!root || !Object.prototype.hasOwnProperty.call(RESPONSES, kind)) {
      throw new Error("coursepack: no way to read or show an answer to question type " +
        section.getAttribute("data-type") + (root ? " (unknown response kind " + kind + ")" :
          " (its template declares no data-response)"));
    }
    return { root: root, kind: RESPONSES[kind] };
  }

  function readResponse(section) {
    var response = responseOf(section);
    return response.kind.read(response.root);
  }

  function writeResponse(section, tokens) {
    var response = responseOf(section);
    response.kind.write(response.root, tokens);
  }

  Quiz.prototype.grade = function () {
    var self = this;
    var attempt = this.attempt();
    var outcome = { score: 0, max: 0, items: [] };
    this.drawn.forEach(function (id) {
      var key = self.key(id);
      var response = attempt.r[id] || [];
      var graded = window.coursepackGrading.grade(key, response);
      if (key.type !== "essay" && key.type !== "description") {
        outcome.score += graded.score;
        outcome.max += key.points;
      }
      outcome.items.push({ id: id, key: key, response: response, score: graded.score, result: graded.result });
    });
    outcome.percent = outcome.max > 0 ? outcome.score / outcome.max * 100 : 0;
    outcome.passed = outcome.max > 0 && outcome.percent + 1e-9 >= this.data.passMark;
    return outcome;
  };

  Quiz.prototype.interactions = function (outcome) {
    var data = this.data;
    return outcome.items.filter(function (item) { return item.key.type !== "description"; }).map(function (item) {
      var info = data.questions[item.id].interaction;
      return {
        id: item.id, type: info.type, learnerResponse: item.response.slice(),
        correctResponse: info.correctResponse.slice(), result: SCORM_RESULT[item.result],
        weighting: item.key.points, score: item.score, objectives: info.objectives.slice(),
        description: info.description
      };
    });
  };

  Quiz.prototype.submit = function () {
    var attempt = this.attempt();
    if (attempt.d) return;
    var self = this;
    // A list never moved is no answer: it starts shuffled, and must not score by chance.
    this.drawn.forEach(function (id) {
      var unmoved = !attempt.r[id] && self.sections[id].querySelector("[data-response=order]");
      attempt.r[id] = unmoved ? [] : readResponse(self.sections[id]);
    });
    var outcome = this.grade();
    attempt.d = 1;
    submitted({
      quizId: this.data.id, moduleId: this.data.module, title: this.data.title,
      score: outcome.score, maxScore: outcome.max, scaled: outcome.max > 0 ? outcome.score / outcome.max : 0,
      passed: outcome.passed, passMark: this.data.passMark, attempt: (this.record().a || 0) + 1,
      interactions: this.interactions(outcome)
    });
    this.review();
    renderProgress();
    this.result.querySelector("[data-result-title]").focus();
  };

  var VERDICT = { correct: "✓", partial: "◐", incorrect: "✗", pending: "✎" };

  /* The result: pass or fail in words and an icon, the score, pass mark, best score and
   * attempts left, every question linked to its review, and the way on: "Continue" to the
   * page's next step, "Try again" while attempts remain, the main action only after a fail. */
  Quiz.prototype.review = function () {
    var self = this, outcome = this.grade(), q = this.record(), left = this.attemptsLeft();
    var marked = outcome.max > 0, passed = outcome.passed, result = this.result;
    outcome.items.forEach(function (item) { self.showFeedback(item, !!q.p || left === 0); });
    this.actions.hidden = this.map.hidden = true;
    var passMark = { mark: fmt(this.data.passMark) };
    var summary = marked ? nt("You scored %(score)s of %(num)s point (%(percent)s%%).", "You scored %(score)s of %(num)s points (%(percent)s%%).",
      outcome.max, { score: fmt(outcome.score), percent: fmt(outcome.percent) }) + " " +
      (passed ? t("You passed the pass mark of %(mark)s%%.", passMark) : t("You did not reach the pass mark of %(mark)s%%.", passMark)) + " " +
      t("Your best score: %(score)s%%.", { score: fmt(q.b || 0) }) : "";
    var pending = outcome.items.filter(function (i) { return i.result === "pending"; }).length;
    if (pending) summary += " " + nt("%(num)s written answer will be marked by a trainer.", "%(num)s written answers will be marked by a trainer.", pending);
    summary = (summary + (left === 0 ? " " + t("You have used all your attempts.") :
      left === Infinity ? "" : " " + nt("You have %(num)s attempt left.", "You have %(num)s attempts left.", left))).trim();
    var verdict = passed ? t("You passed") : !marked ? t("Answers sent") : left ? t("Not passed yet") : t("Not passed");
    result.querySelector("[data-result-icon]").textContent = passed ? "✓" : marked ? "✗" : "✎";
    result.querySelector("[data-result-verdict]").textContent = verdict;
    result.className = "quiz-result " + (passed ? "is-pass" : marked ? "is-fail" : "");
    result.querySelector("[data-result-text]").textContent = summary;
    var review = result.querySelector("[data-result-review]");
    review.textContent = "";
    review.appendChild(this.list(outcome.items.filter(function (i) { return i.key.type !== "description"; })
      .map(function (item, i) {
        return { id: item.id, n: i + 1, icon: VERDICT[item.result], className: "is-" + item.result,
          text: RESULT_TEXT[item.result] + (item.result === "pending" ? "" : ", " + scoreOf(item)) };
      })));
    this.leadOn(marked && !passed && left > 0);
    result.hidden = false;
    this.status.textContent = t("Attempt %(n)s submitted. Best score: %(score)s%%.", { n: q.a, score: fmt(q.b || 0) });
    announce(verdict + ". " + summary);
  };

  function scoreOf(item) {
    return nt("%(score)s of %(num)s point", "%(score)s of %(num)s points", item.key.points, { score: fmt(item.score) });
  }

  // The page gives the way on (its "Next" step; none in a quiz that is a SCO of its own).
  Quiz.prototype.leadOn = function (retryFirst) {
    var go = this.result.querySelector("[data-continue]"), retry = this.result.querySelector("[data-retry]");
    retry.hidden = this.attemptsLeft() === 0;
    retry.className = "button" + (retryFirst || !go ? "" : " secondary");
    if (!go) return;
    go.className = "button" + (retryFirst ? " secondary" : "");
    go.parentNode.insertBefore(retryFirst ? retry : go, retryFirst ? go : retry);
  };

  Quiz.prototype.showFeedback = function (item, reveal) {
    var section = this.sections[item.id];
    if (item.key.type === "description") return;
    all(section, "fieldset").forEach(function (f) { f.disabled = true; });
    section.querySelector("[data-flag]").hidden = true;
    section.classList.add("is-" + item.result);
    var fb = this.data.questions[item.id].feedback;
    var show = this.data.showFeedback;
    markControls(section, item, reveal, show ? fb : {});
    var box = section.querySelector("[data-feedback]");
    box.textContent = "";
    box.appendChild(el("p", "result-label", RESULT_TEXT[item.result] + (item.result === "pending" ? "" : ": " + scoreOf(item))));
    if (show) {
      var byResult = item.result === "correct" ? fb.correct : item.result === "partial" ? fb.partial :
        item.result === "incorrect" ? fb.incorrect : "";
      appendHtml(box, byResult, "feedback-result");
      appendHtml(box, fb.general, "feedback-general");
    }
    if (reveal && fb.answer && item.result !== "correct") {
      appendHtml(box, fb.answer, "feedback-answer", t("The right answer:") + " ");
    }
    if (show && fb.source) appendHtml(box, fb.source, "feedback-source", t("Source:") + " ");
    box.appendChild(el("p")).appendChild(this.link("result-title", t("Back to the result")));
    box.hidden = false;
  };

  function appendHtml(box, html, className, lead) {
    if (!html) return;
    var div = el("div", className);
    // Feedback HTML was rendered from Markdown and sanitised by the exporter at build time.
    div.innerHTML = html;
    if (lead) div.insertBefore(el("strong", "", lead), div.firstChild);
    box.appendChild(div);
  }

  function mark(after, ok) {
    var span = el("span", "mark " + (ok ? "mark-right" : "mark-wrong"), ok ? " ✓ " + t("right") : " ✗ " + t("not right"));
    span.setAttribute("data-mark", "");
    after.parentNode.insertBefore(span, after.nextSibling);
  }

  function markControls(section, item, reveal, fb) {
    all(section, "[data-mark]").forEach(function (n) { n.parentNode.removeChild(n); });
    var response = responseOf(section);
    response.kind.mark(response.root, item, reveal, fb);
  }

  function markOptions(section, item, reveal, optionFeedback) {
    var correct = [].concat(item.key.correct);
    all(section, "[data-option]").forEach(function (option) {
      var id = option.getAttribute("data-option");
      var chosen = item.response.indexOf(id) >= 0;
      var box = option.querySelector("[data-option-feedback]");
      box.textContent = "";
      var notes = [];
      if (chosen) notes.push(correct.indexOf(id) >= 0 ? t("Your answer, right.") : t("Your answer, not right."));
      if (!chosen && reveal && correct.indexOf(id) >= 0) notes.push(t("A right answer."));
      if (notes.length) box.appendChild(el("strong", "", notes.join(" ") + " "));
      if (chosen && optionFeedback[id]) appendHtml(box, optionFeedback[id], "option-feedback-text");
      box.hidden = !box.firstChild;
    });
  }

  Quiz.prototype.retry = function () {
    if (this.attemptsLeft() === 0) return;
    this.record().c = { k: newSeed(), r: {} };
    save();
    this.render();
    var first = this.form.querySelector("[data-question]:not([hidden]) fieldset input, [data-question]:not([hidden]) fieldset select, [data-question]:not([hidden]) fieldset textarea, [data-question]:not([hidden]) fieldset button");
    if (first) first.focus();
    announce("A new attempt has started.");
  };

  /* ---- search ------------------------------------------------------------------------- */

  function words(text) {
    return String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function snippet(text, term) {
    var at = text.toLowerCase().indexOf(term);
    var start = Math.max(0, at - 60);
    var piece = (start > 0 ? "…" : "") + text.slice(start, start + 180) + (text.length > start + 180 ? "…" : "");
    var p = el("p", "snippet");
    var lower = piece.toLowerCase();
    var i = lower.indexOf(term);
    if (i < 0) { p.textContent = piece; return p; }
    p.appendChild(document.createTextNode(piece.slice(0, i)));
    p.appendChild(el("mark", "", piece.slice(i, i + term.length)));
    p.appendChild(document.createTextNode(piece.slice(i + term.length)));
    return p;
  }

  function search(query) {
    var terms = words(query);
    var index = window.coursepackSearchIndex || [];
    if (!terms.length) return [];
    var hits = [];
    index.forEach(function (entry, position) {
      var title = entry.title.toLowerCase();
      var text = entry.text.toLowerCase();
      var score = 0;
      var every = terms.every(function (t) {
        var inTitle = title.indexOf(t) >= 0, inText = text.indexOf(t) >= 0;
        score += (inTitle ? 5 : 0) + (inText ? 1 : 0);
        return inTitle || inText;
      });
      if (every) hits.push({ entry: entry, score: score, position: position, term: terms[0] });
    });
    return hits.sort(function (a, b) { return b.score - a.score || a.position - b.position; });
  }

  function showResults(query) {
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    list.textContent = "";
    if (!words(query).length) { status.textContent = t("Type a word to search all lessons."); return; }
    var hits = search(query);
    hits.forEach(function (hit) {
      var li = el("li");
      var a = el("a", "", hit.entry.title);
      a.href = body.getAttribute("data-root") + hit.entry.url;
      li.appendChild(a);
      li.appendChild(el("span", "meta", " · " + hit.entry.module));
      li.appendChild(snippet(hit.entry.text, hit.term));
      list.appendChild(li);
    });
    sayAround(status, hits.length ? nt("%(num)s lesson matches “%(query)s”.", "%(num)s lessons match “%(query)s”.", hits.length, { query: TYPED }) :
      t("No lesson matches “%(query)s”.", { query: TYPED }), query);
  }

  function startSearch() {
    var form = document.querySelector("[data-search-form]");
    if (!form) return;
    var input = form.querySelector("input");
    var match = /[?&]q=([^&]*)/.exec(window.location.search);
    if (match) input.value = decodeURIComponent(match[1].replace(/\+/g, " "));
    form.addEventListener("submit", function (event) { event.preventDefault(); showResults(input.value); });
    if (input.value) showResults(input.value);
  }

  /* ---- start -------------------------------------------------------------------------- */

  function start() {
    body = document.body;
    var courseId = body.getAttribute("data-course-id") || "course";
    store = store || localStore(courseId);
    progress = normalise(store.load());
    started = true;
    var kind = body.getAttribute("data-page-kind") || "other";
    var moduleId = body.getAttribute("data-module-id") || "";
    var lessonId = body.getAttribute("data-lesson-id") || "";
    if (kind === "lesson" && progress.l.indexOf(moduleId + "/" + lessonId) < 0) {
      progress.l.push(moduleId + "/" + lessonId);
      save();
    }
    var dataNode = document.getElementById("quiz-data");
    if (dataNode && window.coursepackGrading) quiz = new Quiz(JSON.parse(dataNode.textContent), document.querySelector("main"));
    startReset();
    startMenu();
    renderAll();
    startSearch();
    emit("page-viewed", { path: body.getAttribute("data-path") || "", kind: kind, moduleId: moduleId, lessonId: lessonId });
  }

  window.coursepack = api();
  if (document.readyState === "complete") window.setTimeout(start, 0);
  else document.addEventListener("DOMContentLoaded", start);
})();
