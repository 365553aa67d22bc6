/* coursepack results: after a quiz the learner types a name and takes the result home as a
 * results file (xAPI statements from xapi.js, sealed with a checksum), a short code and a QR
 * code; after the final assessment, a printable certificate (certificate.html). No network:
 * the file is saved through a Blob link. Loaded on demand, so no page carries it before it is
 * needed: a quiz page loads it (and xapi.js) once a quiz is submitted (quiz.html.j2), and this
 * file loads the QR encoder (assets/vendor/) once a code is shown.
 * The file's layout, the code's bits and what a checksum proves: docs/results.md; the Python
 * side that reads them: src/coursepack/results/.
 */
(function () {
  "use strict";

  /* ---- interface words: assets/messages.js holds them in the course's language ---------- */

  // `message` in the course's language (English without messages.js), its %(name)s filled
  // from `values`. `python -m coursepack.locale.extract` collects the strings given to it.
  function t(message, values) {
    var said = (window.coursepackMessages || {}).messages || {};
    var text = typeof said[message] === "string" ? said[message] : message;
    return text.replace(/%\((\w+)\)s|%%/g, function (whole, k) {
      return !k ? "%" : values && values[k] !== undefined ? String(values[k]) : whole;
    });
  }

  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ", CHECK = ALPHABET + "*~$=U";
  var EPOCH = Date.UTC(2025, 0, 1);

  function settings() {
    var node = document.getElementById("results-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  /* ---- SHA-256 and HMAC (the key ships in the page: see docs/results.md) ------------ */
  var K = [], H0 = [];
  (function () {
    function frac(x) { return (x - Math.floor(x)) * 4294967296 | 0; }
    for (var n = 2; K.length < 64; n++) {
      for (var d = 2; d * d <= n && n % d; d++);
      if (d * d > n) { if (H0.length < 8) H0.push(frac(Math.sqrt(n))); K.push(frac(Math.cbrt(n))); }
    }
  })();

  function rot(x, n) { return x >>> n | x << (32 - n); }

  function sha256(bytes) {
    var m = bytes.concat([128]), h = H0.slice(), bits = bytes.length * 8, i, j;
    while (m.length % 64 !== 56) m.push(0);
    m.push(0, 0, 0, 0, bits >>> 24 & 255, bits >>> 16 & 255, bits >>> 8 & 255, bits & 255);
    for (i = 0; i < m.length; i += 64) {
      var w = [], a = h.slice();
      for (j = 0; j < 64; j++) {
        var x = w[j - 15], y = w[j - 2];
        w[j] = j < 16 ? m[i + 4 * j] << 24 | m[i + 4 * j + 1] << 16 | m[i + 4 * j + 2] << 8 | m[i + 4 * j + 3] :
          (rot(x, 7) ^ rot(x, 18) ^ x >>> 3) + w[j - 7] + (rot(y, 17) ^ rot(y, 19) ^ y >>> 10) + w[j - 16] | 0;
        var e = a[4], b = a[0];
        var t1 = a[7] + (rot(e, 6) ^ rot(e, 11) ^ rot(e, 25)) + (e & a[5] ^ ~e & a[6]) + K[j] + w[j] | 0;
        var t2 = (rot(b, 2) ^ rot(b, 13) ^ rot(b, 22)) + (b & a[1] ^ b & a[2] ^ a[1] & a[2]) | 0;
        a = [t1 + t2 | 0].concat(a.slice(0, 7));
        a[4] = a[4] + t1 | 0;
      }
      for (j = 0; j < 8; j++) h[j] = h[j] + a[j] | 0;
    }
    var out = [];
    h.forEach(function (v) { out.push(v >>> 24 & 255, v >>> 16 & 255, v >>> 8 & 255, v & 255); });
    return out;
  }

  function utf8(text) { return Array.prototype.slice.call(new TextEncoder().encode(text)); }

  function hmac(keyHex, text) {
    var key = keyHex.match(/../g).map(function (p) { return parseInt(p, 16); });
    while (key.length < 64) key.push(0);
    var inner = sha256(key.map(function (b) { return b ^ 54; }).concat(utf8(text)));
    return sha256(key.map(function (b) { return b ^ 92; }).concat(inner));
  }

  function hex(bytes) { return bytes.map(function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join(""); }

  // Keys sorted, no spaces, as Python's json.dumps(sort_keys=True, separators=(",", ":")).
  function canonical(v) {
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    if (v && typeof v === "object") {
      return "{" + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ":" + canonical(v[k]); }).join(",") + "}";
    }
    return JSON.stringify(v);
  }

  /* ---- the short code ----------------------------------------------------------------- */

  function learnerKey(name) { return name.normalize("NFC").trim().split(/\s+/).join(" ").toLowerCase(); }

  function learnerTag(name) { var h = sha256(utf8(learnerKey(name))); return (h[0] << 8 | h[1]) >> 6; }

  function dayOf(iso) { return Math.floor((Date.parse(iso) - EPOCH) / 864e5); }

  function binary(n, width) { return ("0".repeat(width) + n.toString(2)).slice(-width); }

  // 60 bits: version, course tag, quiz number, percent, passed, day, attempt, learner tag,
  // seal; then Crockford's check symbol (the value modulo 37). As results/code.py.
  function resultCode(s, r) {
    var data = binary(1, 2) + binary(parseInt(s.key.slice(0, 2), 16), 8) + binary(r.quiz, 6) +
      binary(Math.floor(r.percent + 1e-9), 7) + binary(r.passed ? 1 : 0, 1) + binary(r.day, 14) +
      binary(Math.min(r.attempt, 15), 4) + binary(learnerTag(r.name), 10);
    var nibbles = data.match(/..../g).map(function (n) { return parseInt(n, 2).toString(16); }).join("");
    var all = data + binary(hmac(s.key, nibbles)[0], 8), out = "", rest = 0;
    all.match(/...../g).forEach(function (five) {
      var d = parseInt(five, 2);
      out += ALPHABET[d];
      rest = (rest * 32 + d) % 37;
    });
    return (out + CHECK[rest]).match(/.{1,4}/g).join("-");
  }

  /* ---- the results file --------------------------------------------------------------- */

  function fileName(s, r) {
    var slug = learnerKey(r.name).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
    return ["results", s.course, r.quizId, slug || "learner", r.finished.slice(0, 10)].join("-") + ".json";
  }

  function statements(s, quiz, detail, r) {
    var x = window.CoursepackXapi;
    var ctx = { actor: { objectType: "Agent", name: r.name, account: { homePage: s.iri, name: learnerKey(r.name) } },
      courseId: s.course, base: s.iri, quizId: detail.quizId, lang: s.language, timestamp: r.finished };
    var out = detail.interactions.map(function (i) {
      var result = i.result === "neutral" ? "pending" : i.result === "incorrect" && i.score > 0 ? "partial" : i.result;
      var q = quiz.questions[i.id];
      return x.answered({ id: i.id, key: q.key, interaction: q.interaction }, i.learnerResponse, { score: i.score, result: result }, ctx);
    }).filter(Boolean);
    return out.concat(x.quizResult({ id: detail.quizId, title: detail.title, passMark: detail.passMark }, detail, ctx));
  }

  function resultsFile(s, quiz, detail, r) {
    var data = JSON.parse(JSON.stringify({
      format: "coursepack-results", formatVersion: 1,
      course: { id: s.course, version: s.version, title: s.title, language: s.language },
      quiz: { id: detail.quizId, title: detail.title, passMark: detail.passMark },
      learner: { name: r.name }, attempt: detail.attempt,
      result: { score: detail.score, maxScore: detail.maxScore, percent: r.percent, passed: detail.passed },
      finished: r.finished, code: r.code, statements: statements(s, quiz, detail, r)
    }));
    data.checksum = "hmac-sha256:" + hex(hmac(s.key, canonical(data)));
    return JSON.stringify(data, null, 1);
  }

  function download(text, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.parentNode.removeChild(link);
  }

  /* ---- QR code: the encoder is loaded only when a code is shown ---------------------- */

  function withEncoder(done) {
    if (window.qrcode) return done();
    var script = document.createElement("script");
    script.src = document.body.getAttribute("data-root") + "assets/vendor/qrcode-generator.js";
    script.onload = function () { done(); };
    script.onerror = function () { done(t("The QR code could not be shown; read out the code instead.")); };
    document.head.appendChild(script);
  }

  function drawQr(box, text, label) {
    withEncoder(function (failed) {
      if (failed) { box.textContent = failed; return; }
      window.qrcode.stringToBytes = window.qrcode.stringToBytesFuncs["UTF-8"];
      var qr = window.qrcode(0, "M");
      qr.addData(text);
      qr.make();
      var n = qr.getModuleCount(), path = "", NS = "http://www.w3.org/2000/svg";
      for (var r = 0; r < n; r++) for (var c = 0; c < n; c++) if (qr.isDark(r, c)) path += "M" + (c + 4) + " " + (r + 4) + "h1v1h-1z";
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("viewBox", "0 0 " + (n + 8) + " " + (n + 8));
      svg.setAttribute("width", (n + 8) * 5);
      svg.setAttribute("height", (n + 8) * 5);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", label);
      svg.setAttribute("class", "results-qr");
      var bg = document.createElementNS(NS, "rect"), ink = document.createElementNS(NS, "path");
      bg.setAttribute("width", "100%"); bg.setAttribute("height", "100%"); bg.setAttribute("fill", "#fff");
      ink.setAttribute("d", path);
      svg.appendChild(bg); svg.appendChild(ink);
      box.textContent = "";
      box.appendChild(svg);
    });
  }

  /* ---- the panel on the quiz's result -------------------------------------------------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var lastName = "";

  var STYLE = ".results-home{border-top:1px solid #c8ccd2;margin-top:1rem}.results-home label{display:block;font-weight:600}" +
    ".results-home input{width:100%;max-width:20rem;margin-block:.25rem;margin-inline-end:.5rem}" +
    ".results-code{font-family:monospace;font-size:1.2em;letter-spacing:.06em}";

  function panel(s, quiz, detail) {
    var home = document.querySelector("[data-results-home]");
    if (!home) return;
    if (!document.querySelector("style[data-results-style]")) document.head.appendChild(el("style", { "data-results-style": "" }, STYLE));
    home.textContent = "";
    home.appendChild(el("h3", { id: "results-home-title" }, t("Take your result with you")));
    home.appendChild(el("p", {}, t("No network is needed: save a results file to send or hand to your trainer, or show them the code.")));
    var form = home.appendChild(el("form", { "data-results-form": "" }));
    form.appendChild(el("label", { for: "results-name" }, t("Your name or learner ID")));
    var input = form.appendChild(el("input", { id: "results-name", name: "learner", autocomplete: "name", maxlength: "200", required: "", dir: "auto" }));
    input.value = lastName;
    var button = form.appendChild(el("button", { type: "submit", class: "button" }, t("Save results file and show code")));
    var status = home.appendChild(el("p", { role: "status", "data-results-status": "" }));
    var out = home.appendChild(el("div", { "data-results-out": "", hidden: "" }));
    var finished = new Date().toISOString();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = input.value.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
      if (!name) { status.textContent = t("Type your name or learner ID first."); input.focus(); return; }
      lastName = name;
      var r = { name: name, quizId: detail.quizId, quiz: s.quizzes.indexOf(detail.quizId), attempt: detail.attempt,
        percent: detail.maxScore > 0 ? detail.score / detail.maxScore * 100 : 0, passed: detail.passed,
        finished: finished, day: dayOf(finished) };
      // No code past the 64th quiz, or on a clock set before 2025 or after 2069.
      r.code = r.quiz >= 0 && r.quiz < 64 && r.day >= 0 && r.day < 16384 ? resultCode(s, r) : "";
      var file = fileName(s, r);
      download(resultsFile(s, quiz, detail, r), file);
      status.textContent = t("Saved as %(file)s.", { file: file });
      button.textContent = t("Save the file again");
      show(out, s, r);
    });
  }

  function show(out, s, r) {
    out.textContent = "";
    out.hidden = !r.code;
    if (!r.code) return;
    out.appendChild(el("p", {}, t("Your result code:") + " ")).appendChild(el("strong", { class: "results-code", dir: "ltr", "data-results-code": "" }, r.code));
    drawQr(out.appendChild(el("div", { "data-results-qr": "" })), r.code + " " + r.name, t("QR code of your result. Its text is your name and the result code %(code)s.", { code: r.code }));
    if (r.passed && s.final === r.quizId) {
      var cert = { n: r.name, q: r.quiz, p: r.percent, ok: 1, d: r.day, a: r.attempt };
      out.appendChild(el("p")).appendChild(el("a", { class: "button", "data-certificate-link": "",
        href: document.body.getAttribute("data-root") + "certificate.html#" + encodeURIComponent(JSON.stringify(cert)) }, t("Print your certificate")));
    }
  }

  /* ---- the certificate page ------------------------------------------------------------ */

  function paperSize(value) {
    document.querySelector("style[data-page-size]").textContent = "@page { size: " + value + "; margin: 12mm; }";
  }

  function certificate(s, page) {
    document.querySelectorAll("[data-paper]").forEach(function (radio) {
      if (radio.checked) paperSize(radio.value);
      radio.addEventListener("change", function () { paperSize(radio.value); });
    });
    document.querySelector("[data-cert-print]").addEventListener("click", function () { window.print(); });
    var c = null;
    // After the last "#": a single-file module's address names its page first (#/certificate.html#...).
    var hash = window.location.hash;
    try { c = JSON.parse(decodeURIComponent(hash.slice(hash.lastIndexOf("#") + 1))); } catch (err) { c = null; }
    var field = function (name) { return document.querySelector("[data-cert-" + name + "]"); };
    if (!c || typeof c.n !== "string" || !c.n.trim() || c.n.length > 200) { field("problem").textContent = t("Pass the final assessment, then open your certificate from its result."); return; }
    var r = { name: c.n, quiz: c.q, percent: Number(c.p), passed: !!c.ok, day: c.d, attempt: c.a };
    var ok = s.quizzes[r.quiz] === s.final && r.passed && r.percent >= 0 && r.percent <= 100 && r.day >= 0;
    if (!ok) { field("problem").textContent = t("This certificate's details do not match its code: open it again from the quiz page."); return; }
    field("name").textContent = r.name;
    if (r.name.length > 30) field("name").classList.add(r.name.length > 80 ? "is-longer" : "is-long");
    field("date").textContent = new Date(EPOCH + r.day * 864e5).toISOString().slice(0, 10);
    field("score").textContent = Math.floor(r.percent + 1e-9) + "%";
    field("code").textContent = resultCode(s, r);
    field("problem").hidden = true;
    page.hidden = false;
  }

  // A quiz page's loader calls this with each quiz-submitted detail (docs/runtime.md).
  window.coursepackResults = {
    submitted: function (detail) {
      var s = settings(), dataNode = document.getElementById("quiz-data");
      if (!s || !dataNode || !window.CoursepackXapi) return;
      window.setTimeout(function () { panel(s, JSON.parse(dataNode.textContent), detail); }, 0);
    }
  };

  function start() {
    var s = settings(), page = document.querySelector("[data-certificate]");
    if (s && page) certificate(s, page);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
