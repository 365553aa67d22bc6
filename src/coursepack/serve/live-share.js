// coursepack serve: one long poll for news shared by all the preview pages a browser has
// open (a shared worker). Each page gets every status the preview answers with and decides
// for itself whether to reload.
"use strict";
var STATUS = "/__coursepack__/status";
var pages = [];
var last = null;

// A page is told "ready" once it is told of all news: what came before, it asks for itself.
function welcome(page) {
  if (pages.indexOf(page) < 0) { pages.push(page); }
  page.postMessage("ready");
}

onconnect = function (event) {
  var page = event.ports[0];
  page.onmessage = function (message) {
    if (message.data === "bye") {  // the page is going away (or into the back-forward cache)
      pages = pages.filter(function (p) { return p !== page; });
    } else if (message.data === "hello") {  // and back
      welcome(page);
    }
  };
  page.start();
  welcome(page);
};

// Asked "anything after build N?", the preview answers as soon as there is news (a new
// build, problems found or fixed), or after some seconds with none: ask again at once.
function poll() {
  var asked = STATUS + (last ? "?after=" + last.version + "&shown=" + (last.error ? 1 : 0) : "");
  fetch(asked, { cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (status) {
      if (!last || status.version !== last.version || status.error !== last.error) {
        last = status;
        pages.forEach(function (page) { page.postMessage(status); });
      }
      setTimeout(poll, 50);
    })
    .catch(function () { setTimeout(poll, 1000); });  // preview restarting or stopped
}

poll();
