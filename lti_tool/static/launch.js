/* SWOTT Connect: after a launch, show the page's own address in the address bar.
 *
 * The launch POST answers with the page itself (no redirect chain), so the browser's address is the
 * spent /lti/launch. Replacing it with the page's address (history.replaceState) makes a reload or a
 * bookmark ask for the page again, rather than re-post a launch that can never be used twice.
 * The same for every POST that answers with a page (issue 15, views/l1.py `show_step`): the
 * questionnaire's Skip/Submit, an L1 page step (Next, Previous, Start, Save and continue) and an
 * answer (its address ends in #feedback-<question>), so a reload never records a step or an answer again.
 */
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=swott-page-url]");
  if (meta && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", meta.getAttribute("content"));
  }
}());
