// coursepack serve: reloads the page after a rebuild and shows build problems on top of it.
// Added by the preview server to the pages it serves; never written into the built files.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script && script.dataset.version);
  var run = (script && script.dataset.run) || "";
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
      var p = pre.style;  // the course's own style sheet styles <pre>: none of it here
      p.whiteSpace = "pre-wrap"; p.margin = "0.5em 0 0"; p.padding = "0"; p.border = "none";
      p.background = "transparent"; p.color = "inherit"; p.font = "inherit";
      overlay.appendChild(title);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.lastChild.textContent = text;
  }

  function hideProblems() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  // What the page shows against the preview's news: reload for a new build (or a preview
  // started again, which counts its builds anew), else show the problems there are.
  function consider(status) {
    if (status.version !== shown || status.run !== run) { location.reload(); return false; }
    if (status.error) { showProblems(status.error); } else { hideProblems(); }
    return true;
  }

  function asked(last) {
    return STATUS + (last ? "?after=" + last.version + "&run=" + encodeURIComponent(last.run)
                            + "&shown=" + (last.error ? 1 : 0) : "");
  }

  // Asked "anything after build N?", the preview answers as soon as there is news (a new
  // build, problems found or fixed), or after some seconds with none: ask again at once.
  // Not ``waiting``, the page asks what there is now, once a second: it holds no
  // connection while it waits. ``tell`` is given each status that differs from the last.
  function follow(tell, waiting) {
    var last = null;
    function ask() {
      fetch(waiting ? asked(last) : STATUS, { cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (status) {
          var news = !last || status.version !== last.version || status.run !== last.run
            || status.error !== last.error;
          last = status;
          if (news) { tell(status); }
          setTimeout(ask, waiting ? 50 : 1000);
        })
        .catch(function () { setTimeout(ask, 1000); });  // preview restarting or stopped
    }
    ask();
  }

  // A browser opens six connections to one address at most: a long poll per open page would
  // soon leave none for the pages themselves. So one page of the browser asks for all (the
  // one that holds the lock; when it goes, another takes it) and tells the others.
  function shareOnePoll() {
    var channel = new BroadcastChannel("coursepack-preview");
    channel.onmessage = function (event) { consider(event.data); };
    navigator.locks.request("coursepack-preview-news", function () {
      return new Promise(function () {  // held while this page is open
        follow(function (status) { channel.postMessage(status); consider(status); }, true);
      });
    });
    // what there is now: news from here on comes from the page that asks
    fetch(STATUS, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(consider)
      .catch(function () {});
  }

  if (window.BroadcastChannel && navigator.locks) {
    shareOnePoll();
  } else {  // no page can ask for the others: each asks, briefly, or six would use them all
    follow(consider, false);
  }
})();
