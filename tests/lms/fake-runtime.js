/* A stand-in for coursepack's quiz runtime (assets/coursepack.js) that follows
 * /work/runtime-contract.md, for testing the SCORM adapter before or without the real one.
 * Only course pages get it; the test submits quizzes with coursepack._submit(detail). */
(function () {
  "use strict";
  if (location.pathname.indexOf("/course/") < 0) { return; }
  var handlers = {};
  var state = {v: [], q: {}};
  var store = {
    load: function () {
      try { return JSON.parse(localStorage.getItem("fake-coursepack")); } catch (e) { return null; }
    },
    save: function (s) { localStorage.setItem("fake-coursepack", JSON.stringify(s)); }
  };
  function emit(name, detail) {
    (handlers[name] || []).forEach(function (h) { h(detail); });
    document.dispatchEvent(new CustomEvent("coursepack:" + name, {detail: detail}));
  }
  function changed() { store.save(state); emit("progress-changed", {state: state}); }
  window.coursepack = {
    restored: 0,
    on: function (name, handler) { (handlers[name] = handlers[name] || []).push(handler); },
    state: function () { return JSON.parse(JSON.stringify(state)); },
    restore: function (s) { state = JSON.parse(JSON.stringify(s)); window.coursepack.restored += 1; },
    setStore: function (s) { store = s; var loaded = s.load(); if (loaded) { state = loaded; } },
    _submit: function (detail) {
      var best = state.q[detail.quizId];
      state.q[detail.quizId] = {b: Math.max(best ? best.b : 0, detail.score), n: detail.attempt};
      if (detail.pad) { state.pad = detail.pad; }
      emit("quiz-submitted", detail);
      changed();
    }
  };
  document.addEventListener("DOMContentLoaded", function () {
    var loaded = store.load();
    if (loaded) { state = loaded; }
    var body = document.body.dataset;
    var path = location.pathname;
    if (state.v.indexOf(path) < 0) { state.v.push(path.split("/").slice(-2).join("/")); }
    emit("page-viewed", {path: path, kind: body.pageKind || "other", moduleId: body.moduleId || "",
                         lessonId: body.lessonId || ""});
    changed();
  });
})();
