/* coursepack: the course pages of one LMS unit (a SCORM SCO, a cmi5 AU), shown in the frame
 * of the unit's launch page. Shared by scorm-adapter.js and cmi5-adapter.js, which each
 * load it first:
 * - in the launch page, a Unit tells which of the site's pages are the unit's own and where
 *   the learner starts or resumes;
 * - in a course page inside that frame, bridge() forwards the quiz runtime's events to the
 *   launch page, and sends a page of another unit back to this unit's start.
 */
(function () {
  "use strict";

  var EVENTS = ["page-viewed", "quiz-submitted", "progress-changed"];

  // cfg: the unit's settings from its launch page (content folder, start page, own pages).
  function Unit(cfg) { this.cfg = cfg; }

  // The course page a frame shows, relative to the content folder ("" if outside it).
  Unit.prototype.relative = function (win) {
    var base = new URL(this.cfg.content, window.location.href).href;
    var here = win.location.href.split("?")[0];
    return here.indexOf(base) === 0 ? here.slice(base.length) : "";
  };

  // A module's unit shows only its own pages: a page of another unit (reached through a link
  // an author wrote, or a stored location) would record nothing here.
  Unit.prototype.allows = function (rel) {
    var pages = this.cfg.pages || [];
    return !pages.length || pages.indexOf(rel.split("#")[0]) >= 0;
  };

  // The unit's own page the frame shows ("" for any other).
  Unit.prototype.shown = function (win) {
    var rel = this.relative(win);
    return rel && this.allows(rel) ? rel : "";
  };

  // Whether the frame may keep its page: one of the unit's own, or none of the course's.
  Unit.prototype.keeps = function (win) {
    var rel = this.relative(win);
    return !rel || this.allows(rel);
  };

  // Where the frame opens: the stored location if it is one of the unit's pages, else its start.
  Unit.prototype.firstPage = function (location) {
    var safe = location && !/^[a-z]+:|^\/|\.\./i.test(location) &&
      /\.html(#.*)?$/.test(location) && this.allows(location);
    return this.cfg.content + (safe ? location : this.cfg.start);
  };

  // Where the learner stands, from a unit's record (track.v: lessons opened by their number;
  // track.q: each quiz's best score b of m points): every quiz submitted (tried), every lesson
  // opened, the points won of those that can be (a quiz not yet submitted counts its maximum),
  // and how many lessons and quizzes are done.
  Unit.prototype.tally = function (track) {
    var cfg = this.cfg, ids = Object.keys(cfg.quizzes);
    var score = 0, max = 0, opened = 0;
    ids.forEach(function (id) {
      var q = track.q[id];
      score += q ? q.b : 0;
      max += q ? q.m : cfg.quizzes[id].max;
    });
    cfg.lessons.forEach(function (_, i) { if (track.v.indexOf(i) >= 0) { opened += 1; } });
    var submitted = ids.filter(function (id) { return !!track.q[id]; }).length;
    return { quizzes: ids.length, tried: submitted === ids.length,
             lessons: opened === cfg.lessons.length, score: score, max: max,
             done: opened + submitted, steps: cfg.lessons.length + ids.length };
  };

  Unit.prototype.start = function () {
    return new URL(this.cfg.content + this.cfg.start, window.location.href).href;
  };

  // In a course page: find the launch page's window[hostName] and pass it every event of the
  // quiz runtime, with extra(name) as a fourth argument.
  function bridge(hostName, extra) {
    var host = null;
    try { host = window.parent !== window ? window.parent[hostName] : null; } catch (e) { host = null; }
    if (!host) { return; }
    if (host.allows && !host.allows(window)) {  // another unit's page: back to this unit's start
      window.location.replace(host.start());
      return;
    }
    EVENTS.forEach(function (name) {
      document.addEventListener("coursepack:" + name, function (e) {
        host.event(name, e.detail || {}, window, extra(name));
      });
    });
    var attached = false;
    function attach() {
      if (attached || !window.coursepack) { return; }
      attached = true;
      host.attach(window);
    }
    attach();
    document.addEventListener("DOMContentLoaded", function () { host.page(window); attach(); });
    window.addEventListener("load", function () {  // with or without the runtime by now
      if (!attached) { attached = true; host.attach(window); }
    });
  }

  window.CoursepackUnit = { Unit: Unit, bridge: bridge };
})();
