/* SWOTT Connect in an LMS frame (issue 10 item 3): fit the frame to the page, both ways, and after a
 * submit show the result at the top of the frame.
 *
 * Size: `lti.frameResize` is the message Canvas documents (and other LMSs and the sandbox honour); an LMS
 * that does not know it ignores it. Only a height is sent, so any target origin is safe. The height is
 * the page's own content (the body's box), NOT documentElement.scrollHeight: inside a frame that is at
 * least the frame's current height, so a page shorter than the last one could never shrink the frame.
 * It is sent on load, whenever the body changes size (a details opened, a banner added, the width of the
 * window changed), and after DOM changes.
 *
 * Result: after any form submit (Next, Check answer, Submit reflection...) the new page's result - the
 * error summary, the element its address points to (#feedback-q1), a `[data-result]` banner, else the
 * h1 - is scrolled to the top of the view. Browsers carry scrollIntoView from a frame to the LMS page
 * around it, which is what a learner sees scroll; without it the LMS page stays scrolled where the old,
 * longer page's button was, and the learner sees an empty stretch of frame. It is done again when the LMS
 * resizes the frame (the first scroll happened in a frame of the old height), for a short while only, so
 * it never fights the learner's own scrolling.
 */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var SUBMITTED = "swott.submitted";
  var REVEAL_MS = 2500;
  var last = 0;

  function contentHeight() {
    var body = document.body;
    if (!body) { return 0; }
    var style = window.getComputedStyle(body);
    var box = body.getBoundingClientRect();
    return Math.ceil(box.bottom + window.pageYOffset + parseFloat(style.marginBottom || "0"));
  }

  function send() {
    var height = contentHeight();
    if (!height || height === last) { return; }
    last = height;
    window.parent.postMessage({subject: "lti.frameResize", height: height}, "*");
  }

  function wasSubmitted() {
    try {
      var flag = window.sessionStorage.getItem(SUBMITTED);
      window.sessionStorage.removeItem(SUBMITTED);
      return flag === "1";
    } catch (e) {
      return false;  // storage blocked in a third-party frame: results with [data-result] still show
    }
  }

  function resultTarget(submitted) {
    var summary = document.querySelector(".govuk-error-summary");
    if (summary) { return summary; }
    if (window.location.hash.length > 1) {
      var named = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (named) { return named; }
    }
    if (!submitted) { return null; }
    return document.querySelector("[data-result]") || document.querySelector("h1");
  }

  var target = null;
  var revealUntil = 0;

  function reveal() {
    if (!target || Date.now() > revealUntil) { return; }
    target.scrollIntoView({block: "start"});
    if (target.getAttribute("tabindex") === "-1" && document.activeElement !== target) {
      target.focus({preventScroll: true});
    }
  }

  document.addEventListener("submit", function () {
    try { window.sessionStorage.setItem(SUBMITTED, "1"); } catch (e) { /* see wasSubmitted */ }
  }, true);

  function start() {
    target = resultTarget(wasSubmitted());
    revealUntil = Date.now() + REVEAL_MS;
    send();
    reveal();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", function () { send(); reveal(); });
  window.addEventListener("resize", function () { send(); reveal(); });
  if (window.ResizeObserver) {
    new window.ResizeObserver(send).observe(document.documentElement);
  }
  if (window.MutationObserver) {
    new window.MutationObserver(send).observe(document.documentElement, {childList: true, subtree: true, attributes: true});
  }
})();
