/*
 * The public submission form (/submit), made easier where script runs.
 *
 * Without script the form works as it is: single-line fields stop at their
 * `maxlength`, the server refuses any text over its limit in words, and the
 * error summary takes focus through `autofocus`. With script:
 *
 * - Each field with `data-limit` gets a counter once its text reaches 80 % of
 *   the limit ("You have 12 characters left", then "... too many"). Its
 *   `maxlength` goes, so pasted text is never cut unseen: the counter says
 *   what to shorten instead. The counter is tied to the field with
 *   aria-describedby; the form's one polite live region repeats it only when
 *   typing pauses, and only when it changed, so a screen reader is not
 *   interrupted at every key.
 * - The error summary takes focus even in a browser that ignores autofocus
 *   on anything but a field, and its links bring a field into view with its
 *   label above it, not hidden under the top of the screen.
 */
(function () {
  "use strict";

  var SHOW_FROM = 0.8; // of the limit
  var PAUSE_MS = 1000; // typing pause before the live region speaks

  function length(text) {
    // Code points, trimmed: what the server counts (an emoji is one, not two).
    return Array.from(text.trim()).length;
  }

  function words(form, over, count) {
    var key = (over ? "data-over-" : "data-left-") + (count === 1 ? "one" : "other");
    return (form.getAttribute(key) || "").replace("{n}", String(count));
  }

  function setUpCounter(form, field, status) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    if (!limit) {
      return;
    }
    field.removeAttribute("maxlength");
    var counter = document.createElement("p");
    counter.className = "char-count";
    counter.id = field.id + "-count";
    counter.hidden = true;
    // Read through aria-describedby when the field has focus; the live
    // region, not this, speaks while typing.
    counter.setAttribute("aria-hidden", "true");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute(
      "aria-describedby",
      described ? described + " " + counter.id : counter.id
    );
    var timer = null;
    var spoken = "";

    function update() {
      var used = length(field.value);
      var shown = used >= limit * SHOW_FROM;
      var over = used > limit;
      counter.hidden = !shown;
      counter.classList.toggle("char-count--over", over);
      counter.textContent = shown
        ? words(form, over, over ? used - limit : limit - used)
        : "";
      return shown ? counter.textContent : "";
    }

    function speakLater() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = update();
        if (text && text !== spoken) {
          status.textContent = text;
        }
        spoken = text;
      }, PAUSE_MS);
    }

    field.addEventListener("input", function () {
      update();
      speakLater();
    });
    // Quiet at first: what the page was sent back with is in the summary.
    spoken = update();
  }

  function labelOf(field) {
    return document.querySelector('label[for="' + field.id + '"]');
  }

  function setUpSummary(summary) {
    if (document.activeElement === document.body || !document.activeElement) {
      summary.focus();
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) {
        return;
      }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      var label = labelOf(field) || field;
      label.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  function start() {
    var form = document.querySelector("form.submission-form");
    var status = document.getElementById("char-count-status");
    if (form && status) {
      form.querySelectorAll("[data-limit]").forEach(function (field) {
        setUpCounter(form, field, status);
      });
    }
    var summary = document.getElementById("error-summary");
    if (summary) {
      setUpSummary(summary);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
