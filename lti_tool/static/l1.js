/* SWOTT Connect L1 player: autosave for thinking notes and the reflection editor.
 *
 * Progressive enhancement only: every form works without this script. With it, a form marked
 * `data-autosave` is saved a couple of seconds after typing stops, and on `pagehide` with
 * navigator.sendBeacon (the last chance when a tab is closed or the LMS navigates away).
 * Pages reached by a plain link record their view with a beacon (progress changes only by POST).
 * The reflection carries a version number: a 409 answer means another tab saved first, so we stop
 * autosaving and say so, and never overwrite. No framework, no build step.
 */
(function () {
  "use strict";

  var DELAY_MS = 2000;
  var RETRY_MS = 10000;

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

    function say(text, problem) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.toggle("problem", !!problem);
    }

    function payload() {
      var data = new FormData(form);
      data.delete("action");
      data.delete("go");
      data.set("autosave", "1");
      return data;
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
      stopped = true;
      var box = document.createElement("div");
      box.className = "notice notice-error";
      box.setAttribute("role", "alert");
      var heading = document.createElement("h2");
      heading.textContent = "Not saved: changed in another tab";
      var message = document.createElement("p");
      message.textContent = (body && body.message) || "This was changed in another tab or window.";
      var advice = document.createElement("p");
      advice.textContent = ((body && body.advice) || "") + " ";
      var reload = document.createElement("a");
      reload.href = window.location.href.split("#")[0].replace(/([?&])saved=1&?/, "$1");
      reload.textContent = "Load the latest version";
      advice.appendChild(reload);
      box.appendChild(heading);
      box.appendChild(message);
      box.appendChild(advice);
      form.parentNode.insertBefore(box, form);
      say("Not saved: this was changed in another tab.", true);
    }

    function showWarnings(warnings) {
      var region = document.getElementById("warnings");
      if (!region) { return; }
      while (region.firstChild) { region.removeChild(region.firstChild); }
      if (!warnings.length) { return; }
      var box = document.createElement("div");
      box.className = "notice notice-warn";
      var heading = document.createElement("h2");
      heading.textContent = "Check that nobody can be identified";
      var intro = document.createElement("p");
      intro.textContent = "Reflections must not identify people who use services. You can still save; please check:";
      var list = document.createElement("ul");
      warnings.forEach(function (w) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#field-" + w.field;
        link.textContent = w.message;
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

    function save() {
      if (stopped || !dirty) { return; }
      if (inFlight) { schedule(); return; }
      dirty = false;
      inFlight = true;
      say("Saving…");
      window.fetch(target, {
        method: "POST",
        body: payload(),
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
          dirty = true;
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
        } else if (result.body && result.body.saved) {
          if (versionInput && result.body.version) { versionInput.value = String(result.body.version); }
          var state = form.querySelector(".reflection-state");
          if (state) { state.textContent = "Draft"; }
          say("Saved at " + timeNow() + ".");
          if (result.body.warnings) { showWarnings(result.body.warnings); }
        } else {
          throw new Error("not saved");
        }
        finished();
      }).catch(function () {
        dirty = true;
        say("Not saved yet: we will try again in a few seconds. Check your connection.", true);
        schedule(RETRY_MS);
        finished();
      });
    }

    form.addEventListener("input", function () {
      if (stopped) { return; }
      dirty = true;
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
      if (stopped || !dirty || !navigator.sendBeacon) { return; }
      if (navigator.sendBeacon(target, payload())) { dirty = false; }
    });

    window.addEventListener("pageshow", function (event) {
      // Back from the page cache: the version we hold may be older than what a beacon saved.
      if (event.persisted && versionInput) { window.location.reload(); }
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
