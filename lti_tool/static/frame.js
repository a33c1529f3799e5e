/* Ask the LMS to size its iframe to this page, so a learner does not scroll inside a scrolling page.
   `lti.frameResize` is the message Canvas documents (and other LMSs and the sandbox honour); an LMS that
   does not know it ignores it. Only a height is sent, so any target origin is safe. */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage({subject: "lti.frameResize", height: height}, "*");
  }
  window.addEventListener("load", send);
  if (window.ResizeObserver) {
    new window.ResizeObserver(send).observe(document.body);
  } else {
    window.addEventListener("resize", send);
  }
})();
