// coursepack serve: reloads the page after a rebuild and shows build problems on top of it.
// Added by the preview server to the pages it serves; never written into the built files.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script && script.dataset.version);
  var STATUS = "/__coursepack__/status";
  var overlay = null;

  function showProblems(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "coursepack-overlay";
      overlay.setAttribute("role", "alert");
      var s = overlay.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.maxHeight = "60vh";
      s.overflow = "auto"; s.zIndex = "2147483647"; s.margin = "0"; s.padding = "1em 1.5em";
      s.background = "#3b0d0c"; s.color = "#fff"; s.borderTop = "4px solid #e5484d";
      s.font = "14px/1.5 ui-monospace, Menlo, Consolas, monospace";
      var title = document.createElement("strong");
      title.textContent = document.querySelector('meta[name="coursepack-preview-page"]')
        ? "Build failed." : "Build failed: this page shows the last good build.";
      var pre = document.createElement("pre");
      pre.style.whiteSpace = "pre-wrap"; pre.style.margin = "0.5em 0 0";
      overlay.appendChild(title);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.lastChild.textContent = text;
  }

  function hideProblems() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  // What the page shows against the preview's news: reload for a new build, else show
  // the problems there are (or take them away).
  function consider(status) {
    if (status.version !== shown) { location.reload(); return false; }
    if (status.error) { showProblems(status.error); } else { hideProblems(); }
    return true;
  }

  // Without a shared worker, this page asks for news itself: the preview answers as soon
  // as there is some for this page, or after some seconds with none; ask again at once.
  function poll() {
    var asked = STATUS + "?after=" + shown + "&shown=" + (overlay ? 1 : 0);
    fetch(asked, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (status) { if (consider(status)) { setTimeout(poll, 50); } })
      .catch(function () { setTimeout(poll, 1000); });  // server restarting or stopped
  }

  function askOnce() {
    fetch(STATUS, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(consider)
      .catch(function () {});
  }

  // One shared worker asks for all open pages, so that many open tabs do not take every
  // connection the browser allows to the preview. Once it says "ready", it tells this page
  // of all news to come; what there is now, the page asks once.
  function share() {
    var worker = new SharedWorker("/__coursepack__/live-share.js", { name: "coursepack" });
    var port = worker.port;
    port.onmessage = function (event) {
      if (event.data === "ready") { askOnce(); } else { consider(event.data); }
    };
    worker.onerror = function () { port.close(); poll(); };
    port.start();
    addEventListener("pagehide", function () { port.postMessage("bye"); });
    addEventListener("pageshow", function (event) {
      if (event.persisted) { port.postMessage("hello"); }
    });
  }

  try { share(); } catch (e) { poll(); }
})();
