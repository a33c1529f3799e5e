// L2 live pages: follow the facilitator by polling the live region, and count the agenda timer down.
// No framework. Without JavaScript the pages still work: reload to see the latest state.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var region = document.querySelector("[data-l2-live]");

  function format(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var s = Math.abs(seconds);
    var rest = s % 60;
    return sign + Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  var deadline = null;
  function startTimer() {
    var timer = region && region.querySelector("[data-l2-timer]");
    deadline = timer ? Date.now() + parseInt(timer.getAttribute("data-remaining"), 10) * 1000 : null;
  }
  function tick() {
    var timer = region && region.querySelector("[data-l2-timer]");
    if (!timer || deadline === null) return;
    var left = Math.round((deadline - Date.now()) / 1000);
    timer.textContent = format(left);
    timer.classList.toggle("over", left < 0);
  }

  // Screen readers hear what changed (a stage revealed, the session closed) from a polite live region
  // that stays in place, rather than the whole replaced region being read out.
  var announcer = null;
  function announce() {
    var status = region.querySelector("[data-l2-announce]");
    if (!status) return;
    if (announcer) announcer.textContent = status.textContent.replace(/\s+/g, " ").trim();
  }

  function poll() {
    var revision = region.getAttribute("data-revision");
    var url = region.getAttribute("data-l2-live");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(revision);
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status !== 200) return null;
        var next = response.headers.get("X-L2-Revision");
        return response.text().then(function (html) { return { html: html, revision: next }; });
      })
      .then(function (update) {
        if (!update) return;
        region.innerHTML = update.html;
        announce();
        region.setAttribute("data-revision", update.revision || revision);
        startTimer();
        tick();
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  if (region) {
    // Created empty at load: a live region must exist before its text changes to be announced.
    announcer = document.createElement("p");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    region.parentNode.insertBefore(announcer, region);
    startTimer();
    window.setInterval(tick, 1000);
    window.setTimeout(poll, POLL_MS);
  }
})();
