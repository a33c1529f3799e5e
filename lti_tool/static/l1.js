/* SWOTT Connect L1 player: autosave for thinking notes and the reflection editor.
 *
 * Progressive enhancement only: every form works without this script. With it, a form marked
 * `data-autosave` is saved a couple of seconds after typing stops, and on `pagehide` with
 * navigator.sendBeacon (the last chance when a tab is closed or the LMS navigates away).
 * Pages reached by a plain link record their view with a beacon (progress changes only by POST).
 * The reflection carries a version number: a 409 answer means another tab saved first, so we stop
 * autosaving and say so, and never overwrite. Thinking notes (`data-autosave="notes"`) carry one
 * version per prompt and send only the boxes typed in, so two tabs typing in different prompts both
 * keep their text; a conflict or a refusal concerns only the boxes it names.
 * Any other 4xx answer (a box over its limit, 413) is final for that text: we say why in the
 * server's words and try again only once the learner edits it. Network failures and 5xx are retried
 * a few times, then we say so plainly. No framework, no build step.
 */
(function () {
  "use strict";

  var DELAY_MS = 2000;
  var RETRY_MS = 10000;
  var MAX_RETRIES = 5;

  // A new element with its class and, when given, its text: the GOV.UK components built below.
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function timeNow() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function initAutosave(form) {
    var status = form.querySelector(".save-status");
    var versionInput = form.querySelector("input[name=version]");
    var timer = null;
    var dirty = false;
    var inFlight = false;
    var stopped = false;
    var waitingSubmitter = null;
    // Not `form.action`: the reflection's buttons are named "action" and would shadow it.
    var target = form.getAttribute("action") || window.location.href;
    var perPrompt = form.getAttribute("data-autosave") === "notes";
    var dirtyPrompts = {};    // notes: prompts typed in since their last save
    var sendingPrompts = {};  // notes: prompts in the save under way
    var blocked = {};         // prompt id (or "*" for the whole form) -> refused until edited
    var failures = 0;

    function say(text, problem) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.toggle("problem", !!problem);
    }

    function promptOf(element) {
      return element && element.getAttribute ? element.getAttribute("data-prompt") : null;
    }

    function payload(prompts) {
      var data = new FormData(form);
      data.delete("action");
      data.delete("go");
      data.set("autosave", "1");
      if (perPrompt) {
        // Only the boxes typed in: a box left alone must never undo what another tab saved in it.
        Array.prototype.forEach.call(form.querySelectorAll("textarea[data-prompt]"), function (box) {
          var id = promptOf(box);
          if (!prompts[id]) {
            data.delete("note-" + id);
            data.delete("version-" + id);
          }
        });
      }
      return data;
    }

    function fieldProblem(id, text) {
      var box = document.getElementById("note-" + id);
      var error = document.getElementById("note-" + id + "-error");
      if (!box || !error) { return; }
      // GOV.UK Frontend's error state: the red bar on the form group and the red border on the box.
      var group = box.closest(".govuk-form-group");
      if (group) { group.classList.toggle("govuk-form-group--error", !!text); }
      box.classList.toggle("govuk-textarea--error", !!text);
      if (text) {
        error.textContent = text;
        error.hidden = false;
        box.setAttribute("aria-invalid", "true");
        box.setAttribute("aria-describedby", error.id);
      } else {
        error.textContent = "";
        error.hidden = true;
        box.removeAttribute("aria-invalid");
        box.removeAttribute("aria-describedby");
      }
    }

    function refusedText(result) {
      var body = result.body || {};
      if (body.message) { return body.message + (body.advice ? " " + body.advice : ""); }
      if (result.status === 413) {
        return "This is too long to save. Shorten it and it will be saved.";
      }
      return "This could not be saved as it is. Change it and it will be saved again.";
    }

    var retriedToken = false;

    function refreshToken() {
      return window.fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (text) {
          var fresh = new DOMParser().parseFromString(text, "text/html").querySelector("input[name=csrf_token]");
          var mine = form.querySelector("input[name=csrf_token]");
          if (fresh && mine) { mine.value = fresh.value; }
        });
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay || DELAY_MS);
    }

    function showConflict(body) {
      if (perPrompt) {
        // Only the boxes another tab changed stop saving; the others carry on.
        ((body && body.fields) || []).forEach(function (id) {
          blocked[id] = "conflict";
          fieldProblem(id, (body && body.message) || "Changed in another tab: not saved here.");
        });
        if (form.parentNode.querySelector(".notes-conflict")) { return; }
      } else {
        stopped = true;
      }
      // GOV.UK Frontend's notification banner, as the page itself shows a conflict without script.
      var box = element("div", "govuk-notification-banner" + (perPrompt ? " notes-conflict" : ""));
      box.setAttribute("role", "alert");
      box.setAttribute("aria-labelledby", "conflict-live-title");
      var header = element("div", "govuk-notification-banner__header");
      var title = element("h2", "govuk-notification-banner__title", "Not saved");
      title.id = "conflict-live-title";
      header.appendChild(title);
      var content = element("div", "govuk-notification-banner__content");
      var heading = element("p", "govuk-notification-banner__heading", "Not saved: changed in another tab");
      var message = element("p", "govuk-body", (body && body.message) || "This was changed in another tab or window.");
      var advice = element("p", "govuk-body", ((body && body.advice) || "") + " ");
      var reload = element("a", "govuk-notification-banner__link", "Load the latest version");
      reload.href = window.location.href.split("#")[0].replace(/([?&])(saved|back)=1&?/, "$1");
      advice.appendChild(reload);
      content.appendChild(heading);
      content.appendChild(message);
      content.appendChild(advice);
      box.appendChild(header);
      box.appendChild(content);
      form.parentNode.insertBefore(box, form);
      say("Not saved: this was changed in another tab.", true);
    }

    function showWarnings(warnings) {
      var region = document.getElementById("warnings");
      if (!region) { return; }
      while (region.firstChild) { region.removeChild(region.firstChild); }
      if (!warnings.length) { return; }
      var box = element("div", "govuk-inset-text swott-warning");
      var heading = element("h2", "govuk-heading-s", "Check that nobody can be identified");
      var intro = element("p", "govuk-body",
        "Reflections must not identify people who use services. You can still save; please check:");
      var list = element("ul", "govuk-list govuk-list--bullet");
      warnings.forEach(function (w) {
        var item = element("li");
        var link = element("a", "govuk-link", w.message);
        link.href = "#field-" + w.field;
        item.appendChild(link);
        list.appendChild(item);
      });
      box.appendChild(heading);
      box.appendChild(intro);
      box.appendChild(list);
      region.appendChild(box);
    }

    function finished() {
      inFlight = false;
      if (waitingSubmitter !== null) {
        var submitter = waitingSubmitter;
        waitingSubmitter = null;
        stopped = true;
        if (!form.requestSubmit) { form.submit(); } else if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      }
    }

    function anythingToSend() {
      if (!perPrompt) { return dirty && !blocked["*"]; }
      return Object.keys(dirtyPrompts).some(function (id) { return !blocked[id]; });
    }

    function save() {
      if (stopped || !anythingToSend()) { return; }
      if (inFlight) { schedule(); return; }
      dirty = false;
      sendingPrompts = {};
      Object.keys(dirtyPrompts).forEach(function (id) {
        if (!blocked[id]) { sendingPrompts[id] = true; delete dirtyPrompts[id]; }
      });
      inFlight = true;
      say("Saving…");
      window.fetch(target, {
        method: "POST",
        body: payload(sendingPrompts),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json()
          .catch(function () { return {}; })
          .then(function (body) { return { status: response.status, body: body }; });
      }).then(function (result) {
        if (result.status === 403 && !retriedToken) {
          // The form's CSRF token has expired (the page was open a long time): fetch a fresh one and
          // save again, so no time limit ever costs the learner their text (WCAG 2.2.1).
          retriedToken = true;
          markUnsent();
          return refreshToken().then(function () { inFlight = false; save(); });
        }
        if (result.status === 401 || result.status === 403) {
          stopped = true;
          say("Not saved: your session with the course has ended. Copy your text, then open the activity " +
              "again from your course.", true);
          finished();
          return;
        }
        retriedToken = false;
        if (result.status === 409) {
          showConflict(result.body);
        } else if (result.status >= 400 && result.status < 500) {
          // Final for this text: trying again would get the same answer. Say why; wait for an edit.
          var fields = perPrompt ? ((result.body && result.body.fields) || Object.keys(sendingPrompts)) : ["*"];
          var text = refusedText(result);
          fields.forEach(function (id) {
            blocked[id] = "refused";
            if (perPrompt) { fieldProblem(id, text); }
          });
          failures = 0;
          say("Not saved: " + text, true);
        } else if (result.body && result.body.saved) {
          failures = 0;
          if (versionInput && result.body.version) { versionInput.value = String(result.body.version); }
          var versions = result.body.versions || {};
          Object.keys(versions).forEach(function (id) {
            // Only boxes this save carried: another box's newer version belongs with text we do not have.
            if (!sendingPrompts[id]) { return; }
            var input = form.querySelector("input[name='version-" + id + "']");
            if (input) { input.value = String(versions[id]); }
          });
          Object.keys(sendingPrompts).forEach(function (id) { fieldProblem(id, ""); });
          var state = form.querySelector(".reflection-state");
          if (state) { state.textContent = "Draft"; }
          say("Saved at " + timeNow() + ".");
          if (result.body.warnings) { showWarnings(result.body.warnings); }
        } else {
          throw new Error("not saved");
        }
        sendingPrompts = {};
        finished();
      }).catch(function () {
        markUnsent();
        failures += 1;
        if (failures > MAX_RETRIES) {
          say("Not saved: we could not reach SWOTT Connect. Your text is still here: press the save button " +
              "to try again, or copy it somewhere safe.", true);
        } else {
          say("Not saved yet: we will try again in a few seconds.", true);
          schedule(RETRY_MS * failures);
        }
        finished();
      });
    }

    function markUnsent() {
      dirty = true;
      Object.keys(sendingPrompts).forEach(function (id) { dirtyPrompts[id] = true; });
      sendingPrompts = {};
    }

    form.addEventListener("input", function (event) {
      if (stopped) { return; }
      var id = promptOf(event.target);
      if (perPrompt && id) {
        if (blocked[id] === "conflict") { return; }
        dirtyPrompts[id] = true;
        if (blocked[id]) { delete blocked[id]; fieldProblem(id, ""); }
      }
      delete blocked["*"];
      dirty = true;
      failures = 0;
      say("Unsaved changes.");
      schedule();
    });

    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (inFlight) {
        // Let the running save finish first, so this submission carries the newest version.
        event.preventDefault();
        waitingSubmitter = event.submitter || null;
        return;
      }
      stopped = true;
    });

    window.addEventListener("pagehide", function () {
      if (stopped || !anythingToSend() || !navigator.sendBeacon) { return; }
      var prompts = {};
      Object.keys(dirtyPrompts).forEach(function (id) { if (!blocked[id]) { prompts[id] = true; } });
      if (navigator.sendBeacon(target, payload(prompts))) { dirty = false; dirtyPrompts = {}; }
    });

    window.addEventListener("pageshow", function (event) {
      // Back from the page cache: the version we hold may be older than what a beacon saved.
      if (event.persisted && (versionInput || perPrompt)) { window.location.reload(); }
    });
  }

  // A page reached by a plain link (the contents list, a link in the text) is not yet recorded as
  // viewed: progress changes only by POST, so tell the server with a beacon. Next and Previous are
  // forms and record the view themselves, with or without this script.
  function recordView() {
    var player = document.querySelector("[data-record-view]");
    if (!player || !navigator.sendBeacon) { return; }
    var data = new FormData();
    data.set("csrf_token", player.getAttribute("data-csrf") || "");
    data.set("beacon", "1");
    navigator.sendBeacon(player.getAttribute("data-record-view"), data);
  }

  function start() {
    var forms = document.querySelectorAll("form[data-autosave]");
    Array.prototype.forEach.call(forms, initAutosave);
    recordView();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
