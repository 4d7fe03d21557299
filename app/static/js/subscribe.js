/*
 * Copy buttons of the subscribe page.
 *
 * Without script each feed link sits in a read-only field to select and copy
 * by hand, and the buttons stay hidden. With script each button copies its
 * field (through the Clipboard API where the page may use it, else through
 * the browser's copy command on the selected field) and says so, visibly, in
 * the polite live region beside it.
 */
(function () {
  "use strict";

  function say(button, text, failed) {
    var status = button.parentNode.querySelector(".copy-status");
    if (!status) {
      return;
    }
    status.classList.toggle("copy-status--failed", failed);
    // Emptying first makes a second copy of the same link be announced again.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function copyBySelection(field, button) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    if (done) {
      // Back where the keyboard was, beside the confirmation.
      button.focus();
    }
    return done;
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    var copied = function () {
      say(button, button.getAttribute("data-copied"), false);
    };
    var failed = function () {
      // The link stays selected, ready for Ctrl+C.
      field.focus();
      field.select();
      say(button, button.getAttribute("data-failed"), true);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, function () {
        if (copyBySelection(field, button)) {
          copied();
        } else {
          failed();
        }
      });
    } else if (copyBySelection(field, button)) {
      copied();
    } else {
      failed();
    }
  }

  function canCopy() {
    if (navigator.clipboard && window.isSecureContext) {
      return true;
    }
    return Boolean(
      document.queryCommandSupported && document.queryCommandSupported("copy")
    );
  }

  function start() {
    document.querySelectorAll("input.feed-url").forEach(function (field) {
      // One click selects the whole link, ready to copy by hand.
      field.addEventListener("focus", function () {
        field.select();
      });
    });
    if (!canCopy()) {
      return;
    }
    document.querySelectorAll("button.copy-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(button);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
