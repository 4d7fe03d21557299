/*
 * The month and week grids of the calendar page, drawn by FullCalendar.
 *
 * The server renders the same period as a list, so the page works without
 * script; once the grid is drawn, the list is hidden and the "List" view link
 * stays as the accessible alternative. Settings come from data-* attributes of
 * #calendar-app (the CSP forbids inline script). Times arrive from the server
 * as wall times of the page's zone, so the grid needs no time-zone plugin.
 */
(function () {
  "use strict";

  var TIME_FORMAT = { hour: "2-digit", minute: "2-digit", hour12: false };

  function isoDay(date) {
    // In a named zone without a plugin FullCalendar hands out dates whose UTC
    // fields are the zone's wall time.
    return date.toISOString().slice(0, 10);
  }

  function keepDateInPage(day) {
    document.querySelectorAll(".calendar-nav__views a, .calendar-list-link a, .calendar-filters input[name=date]").forEach(function (node) {
      if (node.tagName === "A") {
        var url = new URL(node.href, window.location.href);
        url.searchParams.set("date", day);
        node.href = url.pathname + url.search;
      } else {
        node.value = day;
      }
    });
    var url = new URL(window.location.href);
    url.searchParams.set("date", day);
    window.history.replaceState(null, "", url.pathname + url.search);
    // The language switch brings the viewer back to the period now shown.
    document.querySelectorAll(".language-switch input[name=next]").forEach(function (node) {
      node.value = url.pathname + url.search;
    });
  }

  function start() {
    var el = document.getElementById("calendar-app");
    if (!el || !window.FullCalendar) {
      return;
    }
    var data = el.dataset;
    var first = true;
    el.hidden = false;
    var options = {
      locale: data.locale === "nb" ? "nb" : "en",
      timeZone: data.timeZone,
      initialView: data.initialView,
      initialDate: data.initialDate,
      firstDay: 1,
      height: "auto",
      nowIndicator: true,
      headerToolbar: { left: "prev,next today", center: "title", right: "" },
      // Words rather than the icon font: its icons are role="img" without a name.
      buttonIcons: false,
      eventTimeFormat: TIME_FORMAT,
      slotLabelFormat: TIME_FORMAT,
      events: { url: data.eventsUrl },
      eventDidMount: function (info) {
        var props = info.event.extendedProps;
        var where = props.location ? " – " + props.location : "";
        info.el.setAttribute("title", info.event.title + where);
      },
      datesSet: function (info) {
        var day = isoDay(info.view.currentStart);
        var period = document.querySelector(".calendar-period");
        if (period) {
          period.textContent = info.view.title;
        }
        if (!first) {
          keepDateInPage(day);
        }
        first = false;
      }
    };
    if (options.locale === "en") {
      // The nb locale names its buttons; English ones start in lower case.
      options.buttonText = { prev: "Previous", next: "Next", today: "Today" };
    }
    var calendar = new window.FullCalendar.Calendar(el, options);
    calendar.render();
    document.querySelectorAll(".calendar-list, .calendar-nav__periods").forEach(function (node) {
      node.hidden = true;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
