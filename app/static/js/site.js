/*
 * The header's menus are <details> elements and work without this script.
 * With it, an open menu closes on Escape (focus back on its button) and when
 * the reader clicks or tabs elsewhere, as people expect of a menu.
 */
(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll(".site-header details[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menus = openMenus();
    // Close the innermost first: Escape in "Office" inside "Menu" closes "Office".
    var menu = menus[menus.length - 1];
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  function closeOutside(event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);
})();
