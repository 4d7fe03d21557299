/*
 * Copy buttons of the subscribe page.
 *
 * Without script each feed link sits in a read-only field to select and copy
 * by hand, and the buttons stay hidden. With script (and a clipboard the page
 * may write to) each button copies its field and says so in the polite live
 * region beside it.
 */
(function () {
  "use strict";

  function say(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (!status) {
      return;
    }
    // Emptying first makes a second copy of the same link be announced again.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    navigator.clipboard.writeText(field.value).then(
      function () {
        say(button, button.getAttribute("data-copied"));
      },
      function () {
        field.focus();
        field.select();
        say(button, button.getAttribute("data-failed"));
      }
    );
  }

  function start() {
    document.querySelectorAll("input.feed-url").forEach(function (field) {
      // One click selects the whole link, ready to copy by hand.
      field.addEventListener("focus", function () {
        field.select();
      });
    });
    if (!navigator.clipboard || !window.isSecureContext) {
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
