/* Labeler portal: keyboard shortcuts, autosave of drafts, guidelines memory, auto-growing text boxes,
 * markdown preview and ranking checks. Plain JavaScript, no dependencies; the page works without it. */
(function () {
  "use strict";

  var AUTOSAVE_DELAY_MS = 800;
  /* Ctrl+Shift+letter leaves the record, as Discard's Ctrl+Shift+D does: Later, not my Field, Broken. */
  var SKIP_KEYS = { l: "later", f: "not_my_field", b: "broken" };

  function rememberGuidelines() {
    var details = document.getElementById("guidelines");
    if (!details) return;
    var key = "portal:guidelines-open:" + details.dataset.dataset;
    try {
      var stored = window.localStorage.getItem(key);
      if (stored !== null) details.open = stored === "1";
    } catch (e) { /* storage disabled: the guidelines simply start open */ }
    details.addEventListener("toggle", function () {
      try { window.localStorage.setItem(key, details.open ? "1" : "0"); } catch (e) { /* see above */ }
    });
  }

  function autoGrow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 2 + "px";
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function postJson(url, form, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (payload) { return { ok: response.ok, payload: payload }; });
    });
  }

  /* The same value shapes as the API: {question_name: value}, unanswered questions left out. */
  function collectValues(form) {
    var values = {};
    form.querySelectorAll("[data-question]").forEach(function (q) {
      var name = q.dataset.question;
      var type = q.dataset.type;
      var checked;
      if (type === "text") {
        var text = q.querySelector("textarea").value;
        if (text.trim()) values[name] = text;
      } else if (type === "rating") {
        checked = q.querySelector("input:checked");
        if (checked) values[name] = parseInt(checked.value, 10);
      } else if (type === "label_selection") {
        checked = q.querySelector("input:checked");
        if (checked) values[name] = checked.value;
      } else if (type === "multi_label_selection") {
        var picked = Array.prototype.map.call(q.querySelectorAll("input:checked"), function (i) { return i.value; });
        if (picked.length) values[name] = picked;
      } else if (type === "ranking") {
        var any = false;
        var items = Array.prototype.map.call(q.querySelectorAll("select"), function (s) {
          if (s.value) any = true;
          return { value: s.dataset.option, rank: s.value ? parseInt(s.value, 10) : null };
        });
        if (any) values[name] = items;
      }
    });
    return values;
  }

  function setError(question, message) {
    var box = question.querySelector(".error");
    if (box) box.textContent = message || "";
    question.classList.toggle("has-error", Boolean(message));
  }

  /* Ranks must form a permutation of 1..n (DESIGN §4); the server checks the same rule. */
  function checkRanking(question, complete) {
    var selects = question.querySelectorAll("select");
    var seen = {};
    var empty = 0;
    var duplicate = false;
    selects.forEach(function (s) {
      s.removeAttribute("aria-invalid");
      if (!s.value) { empty += 1; return; }
      if (seen[s.value]) { duplicate = true; s.setAttribute("aria-invalid", "true"); seen[s.value].setAttribute("aria-invalid", "true"); }
      seen[s.value] = s;
    });
    var message = "";
    if (duplicate) message = "Each rank can be used only once.";
    else if (complete && empty && empty < selects.length) message = "Give every option a rank.";
    setError(question, message);
    return !message;
  }

  function initAnnotation(form) {
    var status = document.getElementById("autosave-status");
    var dirty = false;
    var changes = 0;
    var timer = null;
    var inflight = null;
    var leaving = false;

    function say(text) { if (status) status.textContent = text; }

    function saveDraft(explicit) {
      window.clearTimeout(timer);
      if (form.dataset.responseStatus === "submitted") {
        if (explicit) say("This answer is submitted: press Submit to save your changes.");
        return Promise.resolve();
      }
      var sent = changes;
      say("Saving draft…");
      inflight = postJson(form.dataset.autosaveUrl, form, { values: collectValues(form) })
        .then(function (result) {
          if (result.ok) {
            if (changes === sent) dirty = false;
            form.dataset.responseStatus = result.payload.status;
            // The queue moves on from started records: a reload must reopen this one, not the next.
            if (form.dataset.queueRecordUrl) window.history.replaceState(null, "", form.dataset.queueRecordUrl);
            say("Draft saved at " + new Date().toLocaleTimeString() + ".");
          } else {
            var error = result.payload.error || {};
            var perQuestion = (error.details && error.details.questions) || {};
            Object.keys(perQuestion).forEach(function (name) {
              var q = form.querySelector('[data-question="' + name + '"]');
              if (q) setError(q, perQuestion[name]);
            });
            say("Draft not saved: " + (error.message || "the server refused it."));
          }
        })
        .catch(function () { say("Draft not saved: the server could not be reached. Your text is still here."); })
        .then(function () { inflight = null; });
      return inflight;
    }

    function submitWith(action) {
      var button = form.querySelector('button[name="action"][value="' + action + '"]');
      if (button) form.requestSubmit(button);
    }

    /* The skip buttons exist in queue mode only; each posts its reason to the skip URL. */
    function skipWith(reason) {
      var button = form.querySelector('button[name="reason"][value="' + reason + '"]');
      if (button) form.requestSubmit(button);
    }

    form.addEventListener("input", function (event) {
      dirty = true;
      changes += 1;
      if (event.target.matches("textarea[data-autogrow]")) autoGrow(event.target);
      if (event.target.matches(".ranking select")) checkRanking(event.target.closest("[data-question]"), false);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { saveDraft(false); }, AUTOSAVE_DELAY_MS);
    });

    form.addEventListener("submit", function (event) {
      var action = event.submitter ? event.submitter.value : "submit";
      if (leaving) { event.preventDefault(); return; }
      if (action === "draft") {
        event.preventDefault();
        saveDraft(true);
        return;
      }
      if (action === "discard" && !window.confirm("Discard this record? It is recorded as discarded and the next record opens.")) {
        event.preventDefault();
        return;
      }
      if (action === "submit") {
        var firstBad = null;
        form.querySelectorAll('[data-type="ranking"]').forEach(function (q) {
          if (!checkRanking(q, true) && !firstBad) firstBad = q;
        });
        if (firstBad) {
          event.preventDefault();
          firstBad.querySelector("select").focus();
          return;
        }
      }
      window.clearTimeout(timer);
      if (inflight) {
        // Let a draft already on its way land first, so it cannot overwrite this newer answer.
        event.preventDefault();
        var submitter = event.submitter;
        inflight.then(function () { form.requestSubmit(submitter); });
        return;
      }
      leaving = true;
      dirty = false;
    });

    window.addEventListener("beforeunload", function (event) {
      if (dirty && !leaving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    document.addEventListener("keydown", function (event) {
      var mod = event.ctrlKey || event.metaKey;
      var key = event.key;
      if (mod && key === "Enter") { event.preventDefault(); submitWith("submit"); return; }
      if (mod && event.shiftKey && (key === "D" || key === "d")) { event.preventDefault(); submitWith("discard"); return; }
      var skipReason = mod && event.shiftKey ? SKIP_KEYS[key.toLowerCase()] : null;
      if (skipReason) { event.preventDefault(); skipWith(skipReason); return; }
      if (mod && !event.shiftKey && (key === "s" || key === "S")) { event.preventDefault(); saveDraft(true); return; }
      if (mod || event.altKey || !/^[0-9]$/.test(key)) return;
      var target = event.target;
      if (target.matches && target.matches("textarea, select, input[type=text], input[type=search], [contenteditable]")) return;
      var question = (target.closest && target.closest("[data-number-keys]")) || form.querySelector("[data-number-keys]");
      if (!question) return;
      var input = question.querySelector('input[data-key="' + key + '"]');
      if (!input) return;
      event.preventDefault();
      input.checked = input.type === "checkbox" ? !input.checked : true;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    });

    form.querySelectorAll("[data-preview-toggle]").forEach(function (button) {
      var question = button.closest("[data-question]");
      var textarea = question.querySelector("textarea");
      var preview = question.querySelector(".preview");
      button.addEventListener("click", function () {
        if (!preview.hidden) {
          preview.hidden = true;
          textarea.hidden = false;
          button.textContent = "Preview";
          button.setAttribute("aria-pressed", "false");
          textarea.focus();
          return;
        }
        postJson(form.dataset.previewUrl, form, { text: textarea.value }).then(function (result) {
          // The server has sanitized this HTML with the same rules as every other rendered text.
          preview.innerHTML = result.ok ? result.payload.html : "";
          preview.hidden = false;
          textarea.hidden = true;
          button.textContent = "Edit";
          button.setAttribute("aria-pressed", "true");
        });
      });
    });

    form.querySelectorAll("textarea[data-autogrow]").forEach(autoGrow);
    var first = form.querySelector("textarea");
    if (first && !document.querySelector(".has-error")) {
      first.focus();
      first.setSelectionRange(first.value.length, first.value.length);
    } else if (document.querySelector(".has-error")) {
      var bad = document.querySelector(".has-error textarea, .has-error input, .has-error select");
      if (bad) bad.focus();
    }
    // Tests and the benchmark wait for this: the record is on screen and answers keystrokes.
    document.documentElement.dataset.ready = form.dataset.record;
  }

  function initFilters() {
    var filters = document.querySelector("form.filters");
    if (!filters) return;
    filters.querySelectorAll("input[name=status], select[name=dataset]").forEach(function (input) {
      input.addEventListener("change", function () { filters.requestSubmit(); });
    });
  }

  function init() {
    rememberGuidelines();
    initFilters();
    var form = document.getElementById("annotation-form");
    if (form) initAnnotation(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
