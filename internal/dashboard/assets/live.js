// ferry dashboard live updates: listen to the event stream and, when a
// deployment or event arrives, fetch this page again and swap its content.
// The pages work without this script; it only saves a reload.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !main.dataset.live || !window.EventSource || !window.fetch) return;
  var state = document.getElementById("live-state");
  var timer = null, settle = null, busy = false, again = false, last = 0;

  function say(s) { if (state) state.textContent = s; }

  function typing() {
    var a = document.activeElement;
    return a && main.contains(a) && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA");
  }

  function refresh() {
    timer = null;
    if (busy || typing()) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("main");
        if (!next) return;
        var flash = main.querySelector(".flash");
        main.replaceChildren.apply(main, Array.prototype.slice.call(next.childNodes));
        if (flash && !main.querySelector(".flash")) main.insertBefore(flash, main.firstChild);
        main.dataset.updated = String(Date.now());
        say("updated " + new Date().toLocaleTimeString());
      })
      .catch(function () { say("update failed; reload the page"); })
      .then(function () {
        busy = false; last = Date.now();
        if (again) { again = false; schedule1(); }
      });
  }

  // schedule refreshes soon after a message, and once more when the
  // stream has been quiet for a while: the server's view of the lanes may
  // trail the records that announced a change by a few seconds.
  function schedule() {
    clearTimeout(settle);
    settle = setTimeout(function () { settle = null; schedule1(); }, 4000);
    schedule1();
  }

  function schedule1() {
    if (timer) return;
    var wait = Math.max(250, 1000 - (Date.now() - last));
    timer = setTimeout(refresh, wait);
  }

  // One stream per page, closed when the page goes away (a browser keeps
  // only a few connections per host; a page kept for "back" must not hold
  // one).
  var es = null;
  function connect() {
    if (es) return;
    es = new EventSource(main.dataset.live);
    es.addEventListener("open", function () { say("live"); });
    es.addEventListener("deployment", schedule);
    es.addEventListener("event", schedule);
    es.addEventListener("error", function () { say("reconnecting…"); });
  }
  window.addEventListener("pagehide", function () { if (es) { es.close(); es = null; } });
  window.addEventListener("pageshow", function (e) { if (e.persisted) { connect(); schedule(); } });
  connect();
  document.addEventListener("focusout", function () { if (again && !timer) schedule(); });
})();
