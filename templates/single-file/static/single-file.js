/* A single-file module (exporters/field_pack/single_file.py): its pages are <template>
 * elements; this shows the one the address names (#/<page path>, else the last one shown,
 * else the module's overview) as the page's body, before the runtime starts, so the
 * runtime, the quiz and its result screen work as on the site. Following a link to another
 * page of the file reloads the file at that page: each page starts afresh, as on the site.
 * It asks nothing of the network. Where the browser keeps nothing for a file opened this way
 * (localStorage refused), a note says that progress is not kept.
 */
(function () {
  "use strict";

  /* Interface text, in the course's language: the runtime's words (messages.js, inlined in
   * the file's head before this script) hold these too, as the catalogues do. */
  var WORDS = (window.coursepackMessages || {}).messages || {};
  function t(message) { return typeof WORDS[message] === "string" ? WORDS[message] : message; }
  var MESSAGES = {
    noStorage: t("Your progress is not kept: this browser does not let a file opened this way " +
      "save anything. You can read every lesson and take the quiz; write down your result " +
      "before you close this file."),
    file: t("file")
  };
  var ROUTE = "#/";
  var KEY = "coursepack-single-file:";

  var templates = Array.prototype.slice.call(document.querySelectorAll("template[data-page]"));
  var byPath = {};
  templates.forEach(function (t) { byPath[t.getAttribute("data-page")] = t; });

  // The page a #/<page path> address names; what follows a second "#" is for the page itself
  // (the certificate's details, from the final assessment's result).
  function routeOf(hash) {
    if (hash.indexOf(ROUTE) !== 0) return null;
    try { return decodeURIComponent(hash.slice(ROUTE.length).split("#")[0]); } catch (err) { return null; }
  }

  function remembered() {
    try { return window.sessionStorage.getItem(KEY + window.location.pathname); } catch (err) { return null; }
  }

  function remember(path) {
    try { window.sessionStorage.setItem(KEY + window.location.pathname, path); } catch (err) { /* not kept */ }
  }

  function storageWorks() {
    try {
      var key = KEY + "check";
      window.localStorage.setItem(key, "1");
      var ok = window.localStorage.getItem(key) === "1";
      window.localStorage.removeItem(key);
      return ok;
    } catch (err) {
      return false;
    }
  }

  // A link to a file the module carries (a data: URI) is saved as a download: browsers
  // refuse to open a data: address as a page.
  function downloadable(link) {
    link.addEventListener("click", function (event) {
      var match = /^data:([^;,]*)(;base64)?,(.*)$/.exec(link.getAttribute("href"));
      if (!match || !window.Blob || !window.URL) return;
      event.preventDefault();
      var text = match[2] ? window.atob(match[3]) : decodeURIComponent(match[3]);
      var bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      var url = window.URL.createObjectURL(new Blob([bytes], { type: match[1] }));
      var save = document.createElement("a");
      save.href = url;
      save.download = (link.textContent || "").trim().replace(/[\\\/:*?"<>|]+/g, "-") || MESSAGES.file;
      document.body.appendChild(save);
      save.click();
      document.body.removeChild(save);
      window.setTimeout(function () { window.URL.revokeObjectURL(url); }, 1000);
    });
  }

  var wanted = routeOf(window.location.hash);
  var shown = byPath[wanted] || byPath[remembered()] || templates[0];
  if (!shown) return;
  var path = shown.getAttribute("data-page");
  remember(path);
  var attrs = JSON.parse(shown.getAttribute("data-body") || "{}");
  Object.keys(attrs).forEach(function (name) { document.body.setAttribute(name, attrs[name]); });
  document.title = shown.getAttribute("data-title");
  document.body.insertBefore(shown.content.cloneNode(true), document.currentScript);
  Array.prototype.forEach.call(document.querySelectorAll('a[href^="data:"]'), downloadable);

  if (!storageWorks()) {
    var main = document.getElementById("main") || document.body;
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("data-progress-note", "");
    note.setAttribute("role", "status");
    note.textContent = MESSAGES.noStorage;
    main.insertBefore(note, main.firstChild);
  }

  if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
  window.addEventListener("hashchange", function () {
    var next = routeOf(window.location.hash);
    if (next === null || next === path) return; // an anchor inside this page
    remember(byPath[next] ? next : path);
    window.location.reload();
  });
})();
