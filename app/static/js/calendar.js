/*
 * The month, week, three-day and day grids of the calendar page, drawn by FullCalendar.
 *
 * The server renders the same period as a list, so the page works without
 * script. On a phone, unless the reader chose a view, that list is the agenda
 * and FullCalendar is not even loaded; otherwise this script loads it, draws
 * the grid, hides the list and keeps the "List" view link as the accessible
 * alternative. Settings come from data-* attributes of #calendar-app (the CSP
 * forbids inline script). Times arrive from the server as wall times of the
 * page's zone, so the grid needs no time-zone plugin.
 */
(function () {
  "use strict";

  //: Below this width the list is the default view and grids are compact.
  var NARROW = "(max-width: 700px)";
  var TIME_FORMAT = { hour: "2-digit", minute: "2-digit", hour12: false };
  var GRID_VIEWS = {
    month: "dayGridMonth",
    week: "timeGridWeek",
    "3days": "timeGridThreeDay",
    day: "timeGridDay"
  };

  function isoDay(date) {
    // In a named zone without a plugin FullCalendar hands out dates whose UTC
    // fields are the zone's wall time.
    return date.toISOString().slice(0, 10);
  }

  function keepDateInPage(day) {
    document.querySelectorAll(".calendar-nav__views a, .calendar-filters input[name=date]").forEach(function (node) {
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

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function showListAsCurrent() {
    // The list the server drew is what a phone shows: say so in the view links.
    document.querySelectorAll(".calendar-nav__views a").forEach(function (link) {
      var view = new URL(link.href, window.location.href).searchParams.get("view");
      if (view === "list") {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  function options(data, narrow) {
    var view = GRID_VIEWS[data.view] || "dayGridMonth";
    var hours = view.indexOf("timeGrid") === 0;
    var opts = {
      locale: data.locale === "nb" ? "nb" : "en",
      timeZone: data.timeZone,
      initialView: view,
      initialDate: data.initialDate,
      firstDay: 1,
      // The hour grids show the working day; earlier and later hours scroll.
      // (The page's own links switch views, so the view never changes here.)
      contentHeight: hours ? (narrow ? 520 : 640) : "auto",
      scrollTime: "08:00:00",
      nowIndicator: true,
      headerToolbar: narrow
        ? { left: "title", right: "prev,today,next" }
        : { left: "prev,next today", center: "title", right: "" },
      // Words rather than the icon font: its icons are role="img" without a name.
      buttonIcons: false,
      eventTimeFormat: TIME_FORMAT,
      slotLabelFormat: TIME_FORMAT,
      // A day of the month shows what fits and "+N more" for the rest.
      dayMaxEvents: true,
      views: {
        timeGridThreeDay: { type: "timeGrid", duration: { days: 3 } },
        timeGrid: {
          dayHeaderFormat: narrow
            ? { weekday: "short", day: "numeric" }
            : { weekday: "short", day: "numeric", month: "numeric", omitCommas: true }
        },
        timeGridWeek: {
          dayHeaderFormat: narrow
            ? { weekday: "narrow", day: "numeric" }
            : { weekday: "short", day: "numeric", month: "numeric", omitCommas: true }
        },
        dayGridMonth: {
          // On a phone a day is a narrow column: the title alone, on one line.
          displayEventTime: !narrow,
          dayHeaderFormat: { weekday: narrow ? "narrow" : "short" }
        }
      },
      events: { url: data.eventsUrl },
      eventDidMount: function (info) {
        var props = info.event.extendedProps;
        var where = props.location ? " – " + props.location : "";
        info.el.setAttribute("title", info.event.title + where);
      }
    };
    if (opts.locale === "en") {
      // The nb locale names its buttons; English ones start in lower case.
      opts.buttonText = { prev: "Previous", next: "Next", today: "Today" };
    }
    return opts;
  }

  function draw(el, narrow) {
    var data = el.dataset;
    var first = true;
    var opts = options(data, narrow);
    opts.datesSet = function (info) {
      var period = document.querySelector(".calendar-period");
      if (period) {
        period.textContent = info.view.title;
      }
      if (!first) {
        keepDateInPage(isoDay(info.view.currentStart));
      }
      first = false;
    };
    el.hidden = false;
    var calendar = new window.FullCalendar.Calendar(el, opts);
    calendar.render();
    document.querySelectorAll(".calendar-list, .calendar-nav__periods").forEach(function (node) {
      node.hidden = true;
    });
  }

  function start() {
    var el = document.getElementById("calendar-app");
    if (!el) {
      return;
    }
    var data = el.dataset;
    var narrow = window.matchMedia(NARROW).matches;
    if (narrow && data.viewChosen !== "1") {
      showListAsCurrent();
      return;
    }
    var scripts = loadScript(data.fullcalendar);
    if (data.locale === "nb") {
      scripts = scripts.then(function () {
        return loadScript(data.fullcalendarLocale);
      });
    }
    scripts.then(function () {
      draw(el, narrow);
    }, function () {
      // Without the grid the list stays: nothing is lost.
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
