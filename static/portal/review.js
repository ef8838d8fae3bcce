/* Review page: keyboard shortcuts over the answers side by side. 1–9 pick an answer, d shows or hides
 * its comparisons, a accepts it, r opens its rejection comment, f its fix, Ctrl+Enter sends the open
 * form, Esc closes it, n moves to the next record. Plain JavaScript, no dependencies; without it every action is a button or a
 * <details> panel. */
(function () {
  "use strict";

  var TYPING = "textarea, select, input[type=text], input[type=search], [contenteditable]";

  function init() {
    var review = document.getElementById("review");
    if (!review) return;
    var answers = Array.prototype.slice.call(review.querySelectorAll(".review-answer"));
    var selected = null;

    function select(answer, focus) {
      answers.forEach(function (other) {
        other.classList.toggle("is-selected", other === answer);
        if (other === answer) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      });
      selected = answer;
      if (focus) {
        answer.focus({ preventScroll: true });
        answer.scrollIntoView({ block: "nearest" });
      }
    }

    function openPanel(kind) {
      if (!selected) return;
      var panel = selected.querySelector(".decision-" + kind);
      if (!panel) return;
      selected.querySelectorAll(".decision-panel").forEach(function (other) { if (other !== panel) other.open = false; });
      panel.open = true;
      var box = panel.querySelector("textarea");
      if (box) {
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      }
    }

    function closePanel(panel) {
      panel.open = false;
      var answer = panel.closest(".review-answer");
      if (answer) select(answer, true);
    }

    /* A rejection needs a comment: say so beside the box instead of sending an empty one. */
    review.querySelectorAll(".decision-reject form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var box = form.querySelector("textarea[name=comment]");
        var error = form.querySelector(".error");
        if (box.value.trim()) return;
        event.preventDefault();
        box.setAttribute("aria-invalid", "true");
        if (error) error.textContent = "Write a comment for the labeler: a rejection needs one.";
        box.focus();
      });
    });

    answers.forEach(function (answer) {
      answer.addEventListener("focusin", function () { if (selected !== answer) select(answer, false); });
    });

    document.addEventListener("keydown", function (event) {
      var key = event.key;
      var target = event.target;
      var typing = target.matches && target.matches(TYPING);
      if ((event.ctrlKey || event.metaKey) && key === "Enter") {
        var form = target.closest && target.closest(".decision-panel form");
        if (form) { event.preventDefault(); form.requestSubmit(); }
        return;
      }
      if (key === "Escape") {
        var panel = target.closest && target.closest(".decision-panel");
        if (panel) { event.preventDefault(); closePanel(panel); }
        return;
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^[1-9]$/.test(key)) {
        var answer = document.getElementById("answer-" + key);
        if (answer) { event.preventDefault(); select(answer, true); }
        return;
      }
      if (key === "d" && selected) {
        var diffs = selected.querySelectorAll("details.diff");
        var open = Array.prototype.some.call(diffs, function (d) { return !d.open; });
        diffs.forEach(function (d) { d.open = open; });
        event.preventDefault();
      } else if (key === "a" && selected) {
        var accept = selected.querySelector(".decision-accept");
        if (accept) { event.preventDefault(); accept.requestSubmit(); }
      } else if (key === "r" || key === "f") {
        event.preventDefault();
        openPanel(key === "r" ? "reject" : "fix");
      } else if (key === "n") {
        var next = document.getElementById("review-next");
        if (!next) return;
        event.preventDefault();
        if (next.tagName === "FORM") next.requestSubmit();
        else next.click();
      }
    });

    var refused = review.querySelector(".decision-panel[open]");
    var first = review.querySelector(".review-answer.is-decidable") || answers[0];
    if (refused) {
      select(refused.closest(".review-answer"), false);
      var box = refused.querySelector("[aria-invalid=true]") || refused.querySelector("textarea");
      if (box) box.focus();
    } else if (first) {
      select(first, true);
    }
    // Tests wait for this: the record and the versions of its answers are on screen and answer keystrokes.
    document.documentElement.dataset.reviewReady = review.dataset.state;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
