/*
 * SWOTT Connect SCO runtime: SCORM 1.2, SCORM 2004 (3rd/4th edition), cmi5, or standalone.
 * Written for SWOTT Connect; no framework, no build step, ES2017.
 *
 * What it must never do (the field's most common SCORM failures, docs/scorm.md):
 * - lose the last commit: it commits on every status change, every 30 s while something changed, and
 *   on `visibilitychange` (hidden) and `pagehide`; it never uses `unload` (Moodle forbids unload
 *   handlers by Permissions-Policy) and never makes a synchronous request;
 * - overflow SCORM 1.2's 4096-character `cmi.suspend_data`: answers are packed into a few characters,
 *   free text (notes, reflection) stays in the browser's localStorage, and when a very large toolkit
 *   still needs more, `encodeStateWithin` drops detail in a fixed order (see there) until it fits;
 * - write wrong time formats: one formatting function per edition, tested;
 * - fail to find the API: it walks the parents, then the opener's, with a cap, and catches the
 *   exceptions a cross-origin frame throws; without an LMS it says so and keeps working.
 *
 * The pure functions are exported as `SwottSco` (window) / `module.exports` (node) for the tests.
 */
(function (global) {
  "use strict";

  var MAX_API_HOPS = 10;
  var SUSPEND_LIMIT_12 = 4096;
  var SUSPEND_LIMIT_2004 = 64000;
  var COMMIT_EVERY_MS = 30000;
  var CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var CMI5_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
  var CMI5_MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var SWOTT_STATE_ID = "https://swott.sheffield.ac.uk/xapi/state/progress";
  var VERBS = {
    initialized: "http://adlnet.gov/expapi/verbs/initialized",
    completed: "http://adlnet.gov/expapi/verbs/completed",
    passed: "http://adlnet.gov/expapi/verbs/passed",
    failed: "http://adlnet.gov/expapi/verbs/failed",
    terminated: "http://adlnet.gov/expapi/verbs/terminated"
  };

  // ---------------------------------------------------------------- time formats, one per edition

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) text = "0" + text;
    return text;
  }

  /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (RTE 3.4.2.1.9); hours cap at 9999. */
  function formatScorm12Time(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(cs / 360000);
    if (hours > 9999) return "9999:59:59.99";
    var minutes = Math.floor((cs % 360000) / 6000);
    var seconds = Math.floor((cs % 6000) / 100);
    return pad(hours, 4) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(cs % 100, 2);
  }

  /** ISO 8601 duration as SCORM 2004 timeinterval (second,10,2) wants it: PT1H5M30.5S, PT0S. */
  function formatScorm2004Time(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(cs / 360000);
    var minutes = Math.floor((cs % 360000) / 6000);
    var centis = cs % 6000;
    var out = "PT";
    if (hours) out += hours + "H";
    if (minutes) out += minutes + "M";
    if (centis || (!hours && !minutes)) {
      var whole = Math.floor(centis / 100);
      var frac = centis % 100;
      out += whole + (frac ? "." + pad(frac, 2).replace(/0$/, "") : "") + "S";
    }
    return out;
  }

  /** xAPI result.duration (cmi5 9.5.4): ISO 8601, same shape, at most 2 decimal places (xAPI 4.2.7). */
  function formatXapiDuration(ms) {
    return formatScorm2004Time(ms);
  }

  var TIME_FORMATS = { "1.2": formatScorm12Time, "2004": formatScorm2004Time, cmi5: formatXapiDuration };

  // ---------------------------------------------------------------- compact state (suspend_data)
  //
  // "s1|<visited pages, hex bitmask>|<one token per question>|<flags>"
  // A question's token is its chosen options as a base-36 bitmask ("-" if unanswered; in brackets if
  // longer than one character). Free text (notes, reflection) never goes to the LMS in any edition:
  // it is personal data the learner keeps (localStorage and the downloaded CPD record); the LMS gets
  // a content-free summary in its comments element instead.

  function bitsToHex(flags) {
    var out = "";
    for (var i = 0; i < flags.length; i += 4) {
      var nibble = 0;
      for (var j = 0; j < 4; j++) if (flags[i + j]) nibble |= 1 << j;
      out += nibble.toString(16);
    }
    return out;
  }

  function hexToBits(hex, count) {
    var flags = [];
    for (var i = 0; i < count; i++) {
      var nibble = parseInt(hex.charAt(Math.floor(i / 4)) || "0", 16) || 0;
      flags.push(Boolean(nibble & (1 << (i % 4))));
    }
    return flags;
  }

  function emptyState() {
    // first: was the first answer to each question right? rightOnce: ever answered right? They let
    // `l1.scoring` (first | best | latest) count the right answer (docs/learning-design.md).
    return { visited: {}, answers: {}, first: {}, rightOnce: {}, reflectionSaved: false, texts: {} };
  }

  function encodeState(data, state) {
    var visited = data.pages.map(function (id) { return Boolean(state.visited[id]); });
    var tokens = data.questions.map(function (q) {
      var chosen = state.answers[q.id];
      if (!chosen) return "-";
      var mask = 0;
      q.options.forEach(function (opt, index) { if (chosen.indexOf(opt) >= 0) mask += Math.pow(2, index); });
      var token = mask.toString(36);
      return token.length === 1 ? token : "(" + token + ")";
    }).join("");
    var flags = state.reflectionSaved ? "r" : "";
    var first = data.questions.map(function (q) { return state.first[q.id] === true; });
    var once = data.questions.map(function (q) { return Boolean(state.rightOnce[q.id]); });
    return "s1|" + bitsToHex(visited) + "|" + tokens + "|" + flags + "|" + bitsToHex(first) + "|" + bitsToHex(once);
  }

  // Shorter forms, for a state that would not fit the edition's limit (SCORM 1.2: 4096 characters):
  // "s2|<n>|<tokens>|<flags>": visited pages kept as "the first n pages, in order" (pages read out
  //   of order are forgotten; the bookmark in cmi.core.lesson_location is untouched);
  // "s3|<n>|<answered hex>.<right hex>|<flags>": also each answer kept as answered right or wrong
  //   (score, pass and completion survive; which options were ticked does not);
  // "s3|<n>||<flags>": the last resort, answers dropped (the LMS still holds status and score).
  // The packager computes the worst case of each form and says which a toolkit may need
  // (scorm_packager/suspend.py), so the last two only happen for toolkits it warned about.

  function visitedPrefix(data, state) {
    var n = 0;
    while (n < data.pages.length && state.visited[data.pages[n]]) n += 1;
    return n;
  }

  function encodeStateWithin(data, state, limit) {
    var full = encodeState(data, state);
    if (!limit || full.length <= limit) return full;
    var parts = full.split("|");
    var flags = parts[3];
    // Every form keeps the first-answer and right-once bits (a few characters): the score stays exact.
    var scoring = "|" + parts[4] + "|" + parts[5];
    var prefix = String(visitedPrefix(data, state));
    var ordered = "s2|" + prefix + "|" + parts[2] + "|" + flags + scoring;
    if (ordered.length <= limit) return ordered;
    var answered = data.questions.map(function (q) { return Boolean(state.answers[q.id]); });
    var right = data.questions.map(function (q) {
      return Boolean(state.answers[q.id]) && sameSet(state.answers[q.id], q.correct);
    });
    var outcomes = "s3|" + prefix + "|" + bitsToHex(answered) + "." + bitsToHex(right) + "|" + flags + scoring;
    if (outcomes.length <= limit) return outcomes;
    return "s3|" + prefix + "||" + flags + scoring;
  }

  function decodeState(data, text) {
    var state = emptyState();
    if (typeof text !== "string" || !/^s[123]\|/.test(text)) return state;
    var parts = text.split("|");
    if (text.charAt(1) !== "1") {
      var count = parseInt(parts[1], 10) || 0;
      data.pages.slice(0, count).forEach(function (id) { state.visited[id] = true; });
    } else {
      var visited = hexToBits(parts[1] || "", data.pages.length);
      data.pages.forEach(function (id, i) { if (visited[i]) state.visited[id] = true; });
    }
    state.reflectionSaved = (parts[3] || "").indexOf("r") >= 0;
    if (text.charAt(1) === "3") {
      var masks = (parts[2] || "").split(".");
      var isAnswered = hexToBits(masks[0] || "", data.questions.length);
      var isRight = hexToBits(masks[1] || "", data.questions.length);
      // A wrong answer comes back as "answered, no option ticked": it still counts, and is shown as wrong.
      data.questions.forEach(function (q, i) { if (isAnswered[i]) state.answers[q.id] = isRight[i] ? q.correct.slice() : []; });
    } else {
      var tokens = (parts[2] || "").match(/\([0-9a-z]+\)|[0-9a-z-]/g) || [];
      data.questions.forEach(function (q, i) {
        var token = (tokens[i] || "-").replace(/[()]/g, "");
        if (token === "-") return;
        var mask = parseInt(token, 36);
        var chosen = q.options.filter(function (opt, index) { return Math.floor(mask / Math.pow(2, index)) % 2 === 1; });
        if (chosen.length) state.answers[q.id] = chosen;
      });
    }
    // State saved before first-answer scoring has no fifth part: its latest answers stand for the first.
    var known = parts.length > 5;
    var first = hexToBits(parts[4] || "", data.questions.length);
    var once = hexToBits(parts[5] || "", data.questions.length);
    data.questions.forEach(function (q, i) {
      if (!state.answers[q.id]) return;
      var latestRight = sameSet(state.answers[q.id], q.correct);
      state.first[q.id] = known ? first[i] : latestRight;
      if ((known && once[i]) || latestRight) state.rightOnce[q.id] = true;
    });
    return state;
  }

  // ---------------------------------------------------------------- progress rules

  function sameSet(a, b) {
    if (a.length !== b.length) return false;
    return a.every(function (x) { return b.indexOf(x) >= 0; });
  }

  /** Whether a question counts as right in the score, by the toolkit's `l1.scoring`. */
  function countsAsRight(data, state, q) {
    var latest = state.answers[q.id];
    if (!latest) return false;
    var latestRight = sameSet(latest, q.correct);
    if (data.scoring === "latest") return latestRight;
    if (data.scoring === "best") return Boolean(state.rightOnce[q.id]) || latestRight;
    return state.first[q.id] === undefined ? latestRight : state.first[q.id] === true;
  }

  /** Completion, score and success from the state, by the toolkit's rules (toolkits/README.md). */
  function progress(data, state, passMark) {
    var pagesDone = data.contentPages.every(function (id) { return state.visited[id]; });
    var answered = data.questions.filter(function (q) { return state.answers[q.id]; });
    var right = data.questions.filter(function (q) { return countsAsRight(data, state, q); });
    var checksDone = answered.length === data.questions.length;
    var parts = { pages: pagesDone, checks: checksDone, reflection: state.reflectionSaved };
    var completed = data.completion.every(function (p) { return parts[p]; });
    var total = data.questions.length;
    var score = total ? Math.round((100 * right.length) / total) : null;
    var judged = passMark !== null && passMark !== undefined && total > 0 && checksDone;
    return {
      completed: completed,
      parts: parts,
      answered: answered.length,
      right: right.length,
      total: total,
      score: answered.length ? score : null,
      success: judged ? score >= passMark : null,
      visited: data.contentPages.filter(function (id) { return state.visited[id]; }).length
    };
  }

  // ---------------------------------------------------------------- finding the LMS API

  function probe(win, name) {
    try { return win && win[name] ? win[name] : null; } catch (e) { return null; } // cross-origin frame
  }

  function walkUp(win, name) {
    var hops = 0;
    var current = win;
    while (current && hops <= MAX_API_HOPS) {
      var api = probe(current, name);
      if (api) return api;
      var parent = null;
      try { parent = current.parent; } catch (e) { parent = null; }
      if (!parent || parent === current) break;
      current = parent;
      hops += 1;
    }
    return null;
  }

  /** SCORM RTE 3.3.6.1 (1.2) / RTE 3.1.4 (2004): parents first, then the opener's chain. */
  function findApi(win, name) {
    var api = walkUp(win, name);
    if (api) return api;
    var openers = [];
    try { if (win.opener) openers.push(win.opener); } catch (e) { /* cross-origin */ }
    try { if (win.top && win.top.opener) openers.push(win.top.opener); } catch (e) { /* cross-origin */ }
    for (var i = 0; i < openers.length; i++) {
      api = walkUp(openers[i], name);
      if (api) return api;
    }
    return null;
  }

  // ---------------------------------------------------------------- LMS adapters
  //
  // Each adapter: start() -> Promise<{location, suspend, passMark, learner}>, save(snapshot),
  // commit(), finish(snapshot), label. A snapshot is {location, suspend, progress, sessionMs, done}.

  function Scorm12(api) {
    this.api = api;
    this.label = "SCORM 1.2";
    this.flavour = "1.2";
    // cmi.suspend_data is CMIString4096 in SCORM 1.2 (RTE 3.4.2); LMSs truncate or refuse longer values.
    this.suspendLimit = SUSPEND_LIMIT_12;
  }
  Scorm12.prototype.start = function () {
    var api = this.api;
    // 101 "already initialized" (a re-entered frame) is usable; any other refusal is not.
    if (String(api.LMSInitialize("")) !== "true" && String(api.LMSGetLastError()) !== "101") {
      return Promise.reject(new Error("LMSInitialize failed, error " + api.LMSGetLastError()));
    }
    // Review mode (a completed attempt reopened): show everything, record nothing (RTE 3.4.2.1.8).
    this.review = api.LMSGetValue("cmi.core.lesson_mode") === "review";
    var mastery = parseFloat(api.LMSGetValue("cmi.student_data.mastery_score"));
    var status = api.LMSGetValue("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") api.LMSSetValue("cmi.core.lesson_status", "incomplete");
    return Promise.resolve({
      location: api.LMSGetValue("cmi.core.lesson_location") || "",
      suspend: api.LMSGetValue("cmi.suspend_data") || "",
      passMark: isNaN(mastery) ? null : mastery,
      learner: api.LMSGetValue("cmi.core.student_id") || ""
    });
  };
  Scorm12.prototype.save = function (snap) {
    var api = this.api;
    if (this.review) return;
    var p = snap.progress;
    api.LMSSetValue("cmi.core.lesson_location", snap.location.slice(0, 255));
    api.LMSSetValue("cmi.suspend_data", snap.suspend);
    // Score only once L1 is complete: with adlcp:masteryscore set, many 1.2 LMSs turn any score at
    // or above it into "passed" at LMSFinish, even while the reflection is still to do (RTE 3.4.4).
    if (p.score !== null && p.completed) {
      api.LMSSetValue("cmi.core.score.min", "0");
      api.LMSSetValue("cmi.core.score.max", "100");
      api.LMSSetValue("cmi.core.score.raw", String(p.score));
    }
    // 1.2 has one status for completion and success: passed/failed once judged and complete,
    // "completed" when there is nothing to judge, "incomplete" until then.
    var status = "incomplete";
    if (p.completed) status = p.success === null ? "completed" : p.success ? "passed" : "failed";
    api.LMSSetValue("cmi.core.lesson_status", status);
    api.LMSSetValue("cmi.core.exit", snap.done ? "" : "suspend");
    // Some 1.2 LMSs append to cmi.comments on every set: write the summary only when it changes.
    if (snap.summary && snap.summary !== this.summary) {
      api.LMSSetValue("cmi.comments", snap.summary.slice(0, 4096));
      this.summary = snap.summary;
    }
    api.LMSSetValue("cmi.core.session_time", formatScorm12Time(snap.sessionMs));
  };
  Scorm12.prototype.commit = function () {
    if (String(this.api.LMSCommit("")) === "true") return "";
    return "error " + this.api.LMSGetLastError();
  };
  /** One answer as a journaled interaction (RTE 3.4.2.7): the LMS's question-level report. */
  Scorm12.prototype.interaction = function (answer) {
    if (this.review) return;
    var api = this.api;
    var n = parseInt(api.LMSGetValue("cmi.interactions._count"), 10) || 0;
    var base = "cmi.interactions." + n + ".";
    api.LMSSetValue(base + "id", answer.id);
    api.LMSSetValue(base + "type", "choice");
    api.LMSSetValue(base + "time", new Date().toTimeString().slice(0, 8));
    api.LMSSetValue(base + "correct_responses.0.pattern", answer.correct.join(","));
    api.LMSSetValue(base + "student_response", answer.chosen.join(","));
    api.LMSSetValue(base + "result", answer.right ? "correct" : "wrong");
  };
  Scorm12.prototype.finish = function (snap) {
    this.save(snap);
    this.commit();
    this.api.LMSFinish("");
    return Promise.resolve();
  };

  function Scorm2004(api) {
    this.api = api;
    this.label = "SCORM 2004";
    this.flavour = "2004";
    // cmi.suspend_data: characterstring, SPM 64000 in the 3rd and 4th editions (RTE section 4.2).
    this.suspendLimit = SUSPEND_LIMIT_2004;
  }
  Scorm2004.prototype.start = function () {
    var api = this.api;
    // 103 "already initialized" is usable; any other refusal is not (RTE 3.1.7.1).
    if (String(api.Initialize("")) !== "true" && String(api.GetLastError()) !== "103") {
      return Promise.reject(new Error("Initialize failed, error " + api.GetLastError()));
    }
    this.review = api.GetValue("cmi.mode") === "review";
    // A never-set element reads "" with error 403 on first launch: normal (RTE 4.1.4.3).
    var passing = parseFloat(api.GetValue("cmi.scaled_passing_score"));
    return Promise.resolve({
      location: api.GetValue("cmi.location") || "",
      suspend: api.GetValue("cmi.suspend_data") || "",
      passMark: isNaN(passing) ? null : Math.round(passing * 100),
      learner: api.GetValue("cmi.learner_id") || ""
    });
  };
  Scorm2004.prototype.save = function (snap) {
    var api = this.api;
    if (this.review) return;
    var p = snap.progress;
    api.SetValue("cmi.location", snap.location.slice(0, 1000));
    api.SetValue("cmi.suspend_data", snap.suspend);
    api.SetValue("cmi.completion_status", p.completed ? "completed" : "incomplete");
    api.SetValue("cmi.success_status", p.success === null ? "unknown" : p.success ? "passed" : "failed");
    if (p.score !== null) {
      api.SetValue("cmi.score.min", "0");
      api.SetValue("cmi.score.max", "100");
      api.SetValue("cmi.score.raw", String(p.score));
      api.SetValue("cmi.score.scaled", String(p.score / 100));
    }
    var parts = 0;
    var total = 0;
    Object.keys(p.parts).forEach(function (k) { total += 1; if (p.parts[k]) parts += 1; });
    api.SetValue("cmi.progress_measure", p.completed ? "1" : String(Math.round((100 * parts) / Math.max(total, 1)) / 100));
    api.SetValue("cmi.exit", snap.done ? "normal" : "suspend");
    if (snap.summary && snap.summary !== this.summary) {
      api.SetValue("cmi.comments_from_learner.0.comment", snap.summary.slice(0, 4000));
      api.SetValue("cmi.comments_from_learner.0.location", "reflection");
      api.SetValue("cmi.comments_from_learner.0.timestamp", new Date().toISOString().slice(0, 19));
      this.summary = snap.summary;
    }
    api.SetValue("cmi.session_time", formatScorm2004Time(snap.sessionMs));
  };
  Scorm2004.prototype.commit = function () {
    if (String(this.api.Commit("")) === "true") return "";
    return "error " + this.api.GetLastError();
  };
  Scorm2004.prototype.interaction = function (answer) {
    if (this.review) return;
    var api = this.api;
    var n = parseInt(api.GetValue("cmi.interactions._count"), 10) || 0;
    var base = "cmi.interactions." + n + ".";
    api.SetValue(base + "id", answer.id);
    api.SetValue(base + "type", "choice");
    api.SetValue(base + "timestamp", new Date().toISOString().slice(0, 19));
    api.SetValue(base + "correct_responses.0.pattern", answer.correct.join("[,]"));
    api.SetValue(base + "learner_response", answer.chosen.join("[,]"));
    api.SetValue(base + "result", answer.right ? "correct" : "incorrect");
  };
  Scorm2004.prototype.finish = function (snap) {
    this.save(snap);
    // The learner pressed "Save and close": ask the LMS to leave the course (SN 4.4.4, adl.nav.request),
    // keeping the attempt open while it is incomplete. Not on pagehide: the LMS is already navigating.
    if (snap.byLearner) this.api.SetValue("adl.nav.request", snap.done ? "exitAll" : "suspendAll");
    this.commit();
    this.api.Terminate("");
    return Promise.resolve();
  };

  function Standalone(reason) {
    this.label = "this browser only";
    this.flavour = "none";
    this.reason = reason;
  }
  Standalone.prototype.start = function () {
    return Promise.resolve({ location: "", suspend: "", passMark: null, learner: "" });
  };
  Standalone.prototype.save = function () {};
  Standalone.prototype.commit = function () {};
  Standalone.prototype.finish = function () { return Promise.resolve(); };

  // ---------------------------------------------------------------- cmi5 (xAPI) adapter

  function uuid() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return pad(b.toString(16), 2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /** The five cmi5 launch parameters (cmi5 spec 8.1), or null when any is missing. */
  function cmi5Params(search) {
    var query = new URLSearchParams(search);
    var names = ["endpoint", "fetch", "actor", "registration", "activityId"];
    if (!names.every(function (n) { return query.get(n); })) return null;
    var actor;
    try { actor = JSON.parse(query.get("actor")); } catch (e) { return null; }
    var endpoint = query.get("endpoint");
    return {
      endpoint: endpoint.charAt(endpoint.length - 1) === "/" ? endpoint : endpoint + "/",
      fetch: query.get("fetch"),
      actor: actor,
      registration: query.get("registration"),
      activityId: query.get("activityId")
    };
  }

  function Cmi5(params, now) {
    this.params = params;
    this.label = "cmi5";
    this.flavour = "cmi5";
    this.now = now;
    this.queue = Promise.resolve();
    this.pending = [];
    this.finishing = false;
    this.registrationSent = {};
    this.judgedThisSession = false;
    this.masteryScore = null;
  }
  Cmi5.prototype.headers = function (json) {
    var headers = { Authorization: "Basic " + this.token, "X-Experience-API-Version": "1.0.3" };
    if (json) headers["Content-Type"] = "application/json";
    return headers;
  };
  Cmi5.prototype.stateUrl = function (stateId) {
    var q = new URLSearchParams({
      stateId: stateId,
      activityId: this.params.activityId,
      agent: JSON.stringify(this.params.actor),
      registration: this.params.registration
    });
    return this.params.endpoint + "activities/state?" + q.toString();
  };
  Cmi5.prototype.start = function () {
    var self = this;
    // cmi5 8.2: POST (never GET) to the one-time fetch URL for the session's token.
    return fetch(self.params.fetch, { method: "POST" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (!body["auth-token"]) throw new Error("the LMS gave no auth-token (error " + body["error-code"] + ")");
        self.token = body["auth-token"];
        return fetch(self.stateUrl("LMS.LaunchData"), { headers: self.headers(false) });
      })
      .then(function (r) {
        if (!r.ok) throw new Error("the LMS gave no LMS.LaunchData (HTTP " + r.status + ")");
        return r.json();
      })
      .then(function (launchData) {
        self.launchData = launchData;
        self.template = launchData.contextTemplate || {};
        self.judging = (launchData.launchMode || "Normal") === "Normal";
        self.masteryScore = typeof launchData.masteryScore === "number" ? launchData.masteryScore : null;
        self.returnUrl = launchData.returnURL || "";
        return fetch(self.stateUrl(SWOTT_STATE_ID), { headers: self.headers(false) });
      })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (saved) {
        self.registrationSent = (saved && saved.sent) || {};
        self.send("initialized", null);
        var actor = self.params.actor;
        return {
          location: (saved && saved.location) || "",
          suspend: (saved && saved.suspend) || "",
          passMark: self.masteryScore === null ? null : Math.round(self.masteryScore * 100),
          learner: (actor.account && actor.account.name) || actor.mbox || ""
        };
      });
  };
  /** One cmi5 defined statement (spec 9): the LMS's context template plus the cmi5 context. */
  Cmi5.prototype.statement = function (verb, result) {
    var self = this;
    var context = JSON.parse(JSON.stringify(self.template || {}));
    context.registration = self.params.registration;
    context.contextActivities = context.contextActivities || {};
    var category = context.contextActivities.category || [];
    category.push({ id: CMI5_CATEGORY, objectType: "Activity" });
    if (result && (result.success !== undefined || result.completion !== undefined)) {
      category.push({ id: CMI5_MOVEON, objectType: "Activity" });
    }
    context.contextActivities.category = category;
    if (result && result.score && self.masteryScore !== null) {
      context.extensions = context.extensions || {};
      context.extensions[CMI5_MASTERY] = self.masteryScore;
    }
    var statement = {
      id: uuid(),
      timestamp: new Date().toISOString(),
      actor: self.params.actor,
      verb: { id: VERBS[verb], display: { "en-US": verb } },
      object: { id: self.params.activityId, objectType: "Activity" },
      context: context
    };
    if (result) statement.result = result;
    return statement;
  };
  /**
   * Statements wait in `pending` and go out in batches (xAPI allows an array), one request at a
   * time, so they reach the LRS in the order made. Every request is `keepalive`, so one in flight
   * when the page goes away still arrives; at the end, the rest and "terminated" go in one batch
   * sent straight from the pagehide handler (a queued callback would never run).
   */
  Cmi5.prototype.send = function (verb, result) {
    var self = this;
    self.pending.push(self.statement(verb, result));
    if (self.finishing) return;
    self.queue = self.queue.then(function () { return self.flush(); });
  };
  Cmi5.prototype.flush = function () {
    var batch = this.pending.splice(0);
    if (!batch.length) return Promise.resolve();
    return fetch(this.params.endpoint + "statements", {
      method: "POST", headers: this.headers(true), body: JSON.stringify(batch), keepalive: true
    }).catch(function () { /* the LMS records abandoned sessions itself (cmi5 9.3.6) */ });
  };
  Cmi5.prototype.save = function (snap) {
    var p = snap.progress;
    var self = this;
    if (!self.judging || !self.token) return;
    var duration = formatXapiDuration(snap.sessionMs);
    // completed at most once per registration, passed at most once per registration, one of
    // passed/failed per session, never failed after passed (cmi5 9.3).
    if (p.completed && !self.registrationSent.completed) {
      self.registrationSent.completed = true;
      self.send("completed", { completion: true, duration: duration });
    }
    // Judge when the unit is complete or the session ends with every check answered, and only when
    // the verdict differs from the last one sent: a resumed session does not repeat "failed".
    var verdict = p.success === null ? null : (p.success ? "passed" : "failed") + ":" + p.score;
    var judgeNow = p.completed || snap.finishing;
    if (verdict && judgeNow && !self.judgedThisSession && !self.registrationSent.passed &&
        verdict !== self.registrationSent.verdict) {
      self.judgedThisSession = true;
      self.registrationSent.verdict = verdict;
      if (p.success) self.registrationSent.passed = true;
      self.send(p.success ? "passed" : "failed", {
        success: p.success,
        duration: duration,
        score: { scaled: p.score / 100, raw: p.score, min: 0, max: 100 }
      });
    }
    self.snap = snap;
  };
  Cmi5.prototype.putState = function () {
    if (!this.token || !this.snap) return Promise.resolve();
    var body = JSON.stringify({ location: this.snap.location, suspend: this.snap.suspend, sent: this.registrationSent });
    return fetch(this.stateUrl(SWOTT_STATE_ID), {
      method: "PUT", headers: this.headers(true), body: body, keepalive: true
    }).catch(function () {});
  };
  Cmi5.prototype.commit = function () {
    var self = this;
    if (!self.token || self.finishing) return;
    self.queue = self.queue.then(function () { return self.putState(); });
  };
  Cmi5.prototype.finish = function (snap) {
    if (!this.token) return Promise.resolve();
    this.finishing = true;
    this.save(snap);
    this.send("terminated", { duration: formatXapiDuration(snap.sessionMs) });
    this.putState();
    return this.flush();
  };

  // ---------------------------------------------------------------- browser storage for free text

  function hashText(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
    return h.toString(36);
  }

  function localStore() {
    try {
      var probeKey = "swott:probe";
      global.localStorage.setItem(probeKey, "1");
      global.localStorage.removeItem(probeKey);
      return global.localStorage;
    } catch (e) {
      return null; // storage blocked (some LMS iframes, private windows)
    }
  }

  // ---------------------------------------------------------------- the player (DOM)

  function Player(doc, data, adapter, now) {
    this.doc = doc;
    this.data = data;
    this.adapter = adapter;
    this.now = now || function () { return Date.now(); };
    this.startedAt = this.now();
    this.state = emptyState();
    this.current = data.pages[0];
    this.finished = false;
    this.dirty = false;
    this.lastStatus = "";
    this.passMark = data.passMark;
    this.store = localStore();
  }

  Player.prototype.$ = function (selector) { return this.doc.querySelector(selector); };
  Player.prototype.$all = function (selector) { return Array.prototype.slice.call(this.doc.querySelectorAll(selector)); };

  Player.prototype.banner = function (text, kind) {
    var el = this.$("#swott-banner");
    if (!el) return;
    el.textContent = text;
    el.className = "banner " + (kind || "");
    el.hidden = !text;
  };

  Player.prototype.start = function () {
    var self = this;
    return self.adapter.start().catch(function (error) {
      self.adapter = new Standalone("The learning platform could not be reached (" + error.message + ").");
      return self.adapter.start();
    }).then(function (saved) { return self.setUp(saved); });
  };

  Player.prototype.setUp = function (saved) {
    var self = this;
    if (saved.passMark !== null && saved.passMark !== undefined && self.data.passMark !== null) self.passMark = saved.passMark;
    self.storeKey = "swott:" + self.data.toolkit + ":" + hashText(saved.learner || "anonymous");
    self.state = decodeState(self.data, saved.suspend);
    var local = self.store ? self.store.getItem(self.storeKey) : null;
    if (local) {
      try {
        var texts = JSON.parse(local);
        Object.keys(texts).forEach(function (k) { if (!(k in self.state.texts)) self.state.texts[k] = texts[k]; });
      } catch (e) { /* ignore a damaged copy */ }
    }
    if (self.adapter.flavour === "none") {
      self.banner(self.adapter.reason + " " + say(self.data, "keptHere", "Your progress is kept in this browser only."),
        "warning");
    }
    self.restoreForm();
    self.wire();
    // A link from the session pack (index.html#page-<id>) opens that page; else resume where the learner was.
    var linked = String(global.location.hash || "").replace(/^#page-/, "");
    var start = self.data.pages[0];
    if (self.data.pages.indexOf(linked) >= 0) start = linked;
    else if (self.data.pages.indexOf(saved.location) >= 0) start = saved.location;
    self.show(start, false);
    self.update(true);
    self.timer = setInterval(function () { if (self.dirty) self.commit(); }, COMMIT_EVERY_MS);
    return self;
  };

  Player.prototype.restoreForm = function () {
    var self = this;
    Object.keys(self.state.answers).forEach(function (qid) {
      self.state.answers[qid].forEach(function (opt) {
        var input = self.doc.getElementById("q-" + qid + "-" + opt);
        if (input) input.checked = true;
      });
      self.showFeedback(qid);
    });
    self.$all("[data-note]").forEach(function (el) { el.value = self.state.texts["note:" + el.dataset.note] || ""; });
    var form = self.$("#reflection-form");
    if (form) {
      self.data.reflection.fields.forEach(function (f) {
        var el = form.elements[f.id];
        var value = self.state.texts["r:" + f.id];
        if (el && value) el.value = value;
      });
      if (form.elements.cpd_date && !form.elements.cpd_date.value) {
        form.elements.cpd_date.value = new Date().toISOString().slice(0, 10);
      }
      if (self.state.reflectionSaved) self.offerDownload();
    }
  };

  Player.prototype.wire = function () {
    var self = this;
    self.$all("#swott-toc a[data-page]").forEach(function (a) {
      a.addEventListener("click", function (event) { event.preventDefault(); self.show(a.dataset.page, true); });
    });
    // Links between L1 pages (rendered as #page-<id>) navigate inside the player.
    self.doc.addEventListener("click", function (event) {
      var a = event.target.closest ? event.target.closest("a[href^='#page-']") : null;
      if (!a || a.dataset.page) return;
      var id = a.getAttribute("href").slice(6);
      if (self.data.pages.indexOf(id) >= 0) { event.preventDefault(); self.show(id, true); }
    });
    var prev = self.$("#prev-button");
    var next = self.$("#next-button");
    if (prev) prev.addEventListener("click", function () { self.step(-1); });
    if (next) next.addEventListener("click", function () { self.step(1); });
    self.$all("button.check-answer").forEach(function (button) {
      button.addEventListener("click", function () { self.answer(button.dataset.question); });
    });
    // Free text is kept in the browser as it is typed, so closing the window loses no draft.
    self.$all("[data-note]").forEach(function (el) {
      el.addEventListener("input", function () { self.keepText("note:" + el.dataset.note, el.value); });
    });
    var form = self.$("#reflection-form");
    if (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); self.saveReflection(); });
      form.addEventListener("input", function (event) {
        if (event.target.name) self.keepText("r:" + event.target.name, event.target.value);
      });
    }
    var finish = self.$("#finish-button");
    if (finish) finish.addEventListener("click", function () { self.finish(true); });
    // Commit when the page is hidden, finish when it goes away: pagehide, never unload.
    self.doc.addEventListener("visibilitychange", function () {
      if (self.doc.visibilityState === "hidden") self.commit();
    });
    global.addEventListener("pagehide", function () { self.finish(); });
    // Back from the browser's page cache after pagehide finished the session: start a new one.
    global.addEventListener("pageshow", function (event) { if (event.persisted && self.finished) global.location.reload(); });
  };

  Player.prototype.step = function (delta) {
    var index = this.data.pages.indexOf(this.current) + delta;
    if (index >= 0 && index < this.data.pages.length) this.show(this.data.pages[index], true);
  };

  /**
   * The words the runtime writes, in the package's language: `data.strings` (a `--lang cy` package,
   * scorm_packager/words.py RUNTIME) else the English given here; `{name}` takes `vars[name]`.
   */
  function say(data, key, english, vars) {
    var text = (data && data.strings && data.strings[key]) || english;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }

  Player.prototype.show = function (pageId, focus) {
    var self = this;
    self.current = pageId;
    self.$all(".swott-page").forEach(function (section) { section.hidden = section.id !== "page-" + pageId; });
    self.$all("#swott-toc a[data-page]").forEach(function (a) {
      if (a.dataset.page === pageId) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    var index = self.data.pages.indexOf(pageId);
    var position = self.$("#page-position");
    if (position) {
      position.textContent = say(self.data, "pageOf", "Page {n} of {total}", { n: index + 1, total: self.data.pages.length });
    }
    var prev = self.$("#prev-button");
    var next = self.$("#next-button");
    if (prev) prev.disabled = index <= 0;
    if (next) next.disabled = index >= self.data.pages.length - 1;
    if (focus) {
      var heading = self.doc.getElementById("title-" + pageId);
      if (heading) heading.focus();
    }
    self.state.visited[pageId] = true;
    self.dirty = true;
    self.update(false);
  };

  Player.prototype.answer = function (qid) {
    var question = this.data.questions.filter(function (q) { return q.id === qid; })[0];
    if (!question) return;
    if (this.state.answers[qid] && !this.data.retries) return;
    var chosen = this.$all("input[name='q-" + qid + "']:checked").map(function (i) { return i.value; });
    var verdict = this.$("#feedback-" + qid + " .verdict");
    if (!chosen.length) {
      if (verdict) verdict.textContent = say(this.data, "chooseFirst", "Choose an answer first.");
      return;
    }
    this.state.answers[qid] = chosen;
    var isRight = sameSet(chosen, question.correct);
    if (this.state.first[qid] === undefined) this.state.first[qid] = isRight;
    if (isRight) this.state.rightOnce[qid] = true;
    if (this.adapter.interaction) {
      this.adapter.interaction({ id: qid, chosen: chosen, correct: question.correct, right: sameSet(chosen, question.correct) });
    }
    this.showFeedback(qid);
    this.dirty = true;
    this.update(false);
  };

  Player.prototype.showFeedback = function (qid) {
    var question = this.data.questions.filter(function (q) { return q.id === qid; })[0];
    var chosen = this.state.answers[qid] || [];
    var box = this.$("#feedback-" + qid);
    if (!question || !box) return;
    Array.prototype.slice.call(box.querySelectorAll(".option-feedback")).forEach(function (el) {
      el.hidden = chosen.indexOf(el.dataset.option) < 0;
    });
    var verdict = box.querySelector(".verdict");
    var right = sameSet(chosen, question.correct);
    var d = this.data;
    verdict.textContent = right ? say(d, "right", "Right.") :
      say(d, "notQuite", "Not quite.") + (d.retries ? " " + say(d, "tryAgain", "You can try again.") : "");
    box.className = "feedback " + (right ? "right" : "wrong");
    if (!this.data.retries) {
      this.$all("input[name='q-" + qid + "']").forEach(function (i) { i.disabled = true; });
    }
  };

  Player.prototype.keepText = function (key, value) {
    if (value) this.state.texts[key] = value; else delete this.state.texts[key];
    if (this.store && this.storeKey) {
      try { this.store.setItem(this.storeKey, JSON.stringify(this.state.texts)); } catch (e) { /* quota */ }
    }
  };

  Player.prototype.saveReflection = function () {
    var self = this;
    var form = self.$("#reflection-form");
    var missing = [];
    self.data.reflection.fields.forEach(function (f) {
      var el = form.elements[f.id];
      var value = el ? el.value.trim() : "";
      if (el) el.setAttribute("aria-invalid", f.required && !value ? "true" : "false");
      if (f.required && !value) missing.push(f.label);
      self.keepText("r:" + f.id, value);
    });
    var errors = self.$("#reflection-errors");
    var unanswered = self.data.questions.filter(function (q) { return !self.state.answers[q.id]; });
    if (self.data.completion.indexOf("checks") >= 0 && unanswered.length) {
      // Completion needs every check answered, so a reflection saved without them would say nothing.
      errors.textContent = say(self.data, "answerChecksFirst", "You can save your reflection once you have answered " +
        "every knowledge-check question: {count} still unanswered. What you wrote is kept in this browser.",
        { count: unanswered.length });
      self.$("#reflection-saved").textContent = "";
      self.dirty = true;
      return;
    }
    if (missing.length) {
      errors.textContent = say(self.data, "fillIn", "Please fill in: {fields}.", { fields: missing.join("; ") });
      self.$("#reflection-saved").textContent = "";
      return;
    }
    errors.textContent = "";
    self.state.reflectionSaved = true;
    self.$("#reflection-saved").textContent = say(self.data, "saved",
      "Reflection saved in this browser. Download your CPD record below.");
    self.offerDownload();
    self.update(false);
  };

  /** The CPD record as plain text: title, model headings and Social Work England record fields. */
  Player.prototype.cpdRecord = function () {
    var self = this;
    var d = self.data;
    var lines = [say(d, "recordTitle", "SWOTT CPD record — {title}", { title: d.title }),
      say(d, "recordModel", "Reflective model: {model}", { model: d.reflection.modelTitle }), ""];
    self.data.reflection.fields.forEach(function (f) {
      lines.push(f.label, (self.state.texts["r:" + f.id] || "").trim(), "");
    });
    var notes = self.data.prompts.filter(function (id) { return self.state.texts["note:" + id]; });
    if (notes.length) {
      lines.push(say(d, "recordNotes", "Your notes from the unit"), "");
      notes.forEach(function (id) {
        lines.push((self.data.promptTexts || {})[id] || id, self.state.texts["note:" + id].trim(), "");
      });
    }
    return lines.join("\n");
  };

  /** What the LMS may know about the reflection: that it exists, when and how long; never its text. */
  Player.prototype.reflectionSummary = function () {
    if (!this.state.reflectionSaved) return "";
    var self = this;
    var words = 0;
    self.data.reflection.fields.forEach(function (f) {
      words += (self.state.texts["r:" + f.id] || "").split(/\s+/).filter(Boolean).length;
    });
    return "CPD reflection saved (" + self.data.reflection.modelTitle + ", " + words + " words). " +
      "The text stays with the learner: in their browser and their downloaded CPD record.";
  };

  Player.prototype.offerDownload = function () {
    var link = this.$("#cpd-download");
    if (!link || typeof Blob === "undefined") return;
    if (link.href && link.href.indexOf("blob:") === 0) URL.revokeObjectURL(link.href);
    var blob = new Blob([this.cpdRecord()], { type: "text/plain;charset=utf-8" });
    link.href = URL.createObjectURL(blob);
    link.download = "cpd-record-" + this.data.toolkit + ".txt";
    link.hidden = false;
  };

  Player.prototype.snapshot = function (done) {
    var p = progress(this.data, this.state, this.passMark);
    return {
      location: this.current,
      suspend: encodeStateWithin(this.data, this.state, this.adapter.suspendLimit),
      progress: p,
      summary: this.reflectionSummary(),
      sessionMs: this.now() - this.startedAt,
      done: Boolean(done)
    };
  };

  Player.prototype.statusKey = function (p) {
    return [p.completed, p.success, p.score, p.parts.pages, p.parts.checks, p.parts.reflection].join("/");
  };

  /** Save to the LMS; commit at once when the status changed (or when forced). */
  Player.prototype.update = function (force) {
    if (this.finished) return;
    var snap = this.snapshot(false);
    this.adapter.save(snap);
    this.summary(snap.progress);
    var key = this.statusKey(snap.progress);
    if (force || key !== this.lastStatus) {
      this.lastStatus = key;
      this.commit();
    }
  };

  Player.prototype.commit = function () {
    if (this.finished) return;
    this.adapter.save(this.snapshot(false));
    var problem = this.adapter.commit();
    if (problem) {
      this.banner(say(this.data, "notConfirmed", "Your learning platform did not confirm the save ({problem}). " +
        "Keep this window open and carry on: the unit tries again. Download your reflection if you have written one.",
        { problem: problem }), "warning");
    } else if (this.adapter.flavour !== "none") {
      this.banner("", "");
    }
    this.dirty = !!problem;
  };

  Player.prototype.summary = function (p) {
    var set = function (doc, id, text) { var el = doc.getElementById(id); if (el) el.textContent = text; };
    var d = this.data;
    set(this.doc, "summary-pages", say(d, "pagesOf", "{n} of {total}", { n: p.visited, total: d.contentPages.length }));
    var score = say(d, "answeredRight", "{answered} of {total} answered, {right} right",
      { answered: p.answered, total: p.total, right: p.right }) +
      (this.passMark !== null ? " " + say(d, "passMark", "(pass mark {mark}%)", { mark: this.passMark }) : "");
    set(this.doc, "summary-score", p.total ? score : say(d, "noChecks", "none in this unit"));
    set(this.doc, "summary-reflection", this.state.reflectionSaved ? say(d, "reflectionSaved", "saved") :
      say(d, "reflectionNotSaved", "not saved yet"));
    set(this.doc, "summary-status", p.completed ? (p.success === false ? say(d, "completeBelow", "complete, below the pass mark") :
      say(d, "complete", "complete")) : say(d, "inProgress", "in progress"));
  };

  /** End the session. When the learner chose to (not pagehide), go to the LMS's returnURL (cmi5 10.2.6). */
  Player.prototype.finish = function (byLearner) {
    if (this.finished) return;
    var snap = this.snapshot(false);
    snap.done = snap.progress.completed;
    snap.finishing = true;
    snap.byLearner = byLearner === true;
    this.finished = true;
    clearInterval(this.timer);
    var adapter = this.adapter;
    var ended = adapter.finish(snap);
    var message = this.$("#finish-message");
    if (message) message.textContent = say(this.data, "finished", "Your progress is saved. You can close this window.");
    if (byLearner === true && adapter.returnUrl) {
      ended.then(function () { global.location.assign(adapter.returnUrl); });
    }
  };

  function boot() {
    var doc = global.document;
    var node = doc.getElementById("swott-data");
    if (!node) return null;
    var data = JSON.parse(node.textContent);
    var adapter;
    if (data.flavour === "1.2") {
      var api12 = findApi(global, "API");
      adapter = api12 ? new Scorm12(api12) : new Standalone(say(data, "noScorm12", "No SCORM 1.2 learning platform was found."));
    } else if (data.flavour === "2004") {
      var api2004 = findApi(global, "API_1484_11");
      adapter = api2004 ? new Scorm2004(api2004) :
        new Standalone(say(data, "noScorm2004", "No SCORM 2004 learning platform was found."));
    } else if (data.flavour === "cmi5") {
      var params = cmi5Params(global.location.search);
      adapter = params ? new Cmi5(params) :
        new Standalone(say(data, "noCmi5", "This page was opened without cmi5 launch details."));
    } else {
      adapter = new Standalone(say(data, "standalone", "This is the standalone copy of the unit."));
    }
    var player = new Player(doc, data, adapter);
    global.swottPlayer = player;
    player.ready = player.start();
    return player;
  }

  var exported = {
    formatScorm12Time: formatScorm12Time,
    formatScorm2004Time: formatScorm2004Time,
    formatXapiDuration: formatXapiDuration,
    TIME_FORMATS: TIME_FORMATS,
    encodeState: encodeState,
    decodeState: decodeState,
    encodeStateWithin: encodeStateWithin,
    emptyState: emptyState,
    progress: progress,
    findApi: findApi,
    cmi5Params: cmi5Params,
    SUSPEND_LIMIT_12: SUSPEND_LIMIT_12,
    SUSPEND_LIMIT_2004: SUSPEND_LIMIT_2004
  };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = exported;
  } else {
    global.SwottSco = exported;
    if (global.document) {
      if (global.document.readyState === "loading") global.document.addEventListener("DOMContentLoaded", boot);
      else boot();
    }
  }
})(typeof window !== "undefined" ? window : globalThis);
