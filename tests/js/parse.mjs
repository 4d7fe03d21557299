// Parse iCalendar files with Mozilla's ical.js and with node-ical, and print what
// each of them read as one JSON object keyed by file, for tests/fixtures/js_parsers.py.
//
//   node tests/js/parse.mjs UNTIL FILE...
//
// One run reads many files: node start-up costs ~0.3 s, a demo run has ~50 feeds.
// Recurring events are expanded up to UNTIL (an ISO date such as 2027-12-31).
// Timed values are printed as {local, zone, utc}, all-day values as {date}.
// Any parse error ends the script with a non-zero exit code, naming the file on stderr.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import nodeIcal from "node-ical";

const [until, ...paths] = process.argv.slice(2);
if (!/^\d{4}-\d{2}-\d{2}$/.test(until ?? "") || paths.length === 0) {
  console.error("usage: node parse.mjs UNTIL FILE...");
  process.exit(2);
}
// Stops a runaway expansion of an endless series.
const MAX_OCCURRENCES = 1000;

function icalJsTime(time) {
  if (time.isDate) {
    return { date: time.toString() };
  }
  const zone = time.zone ? time.zone.tzid : "floating";
  return { local: time.toString().replace(/Z$/, ""), zone, utc: time.toJSDate().toISOString() };
}

function icalJs(source) {
  const calendar = new ICAL.Component(ICAL.parse(source));
  // The zone registry is global: forget the previous file's VTIMEZONEs.
  ICAL.TimezoneService.reset();
  // Times are converted with the feed's own VTIMEZONEs, not a built-in database.
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  const limit = ICAL.Time.fromDateString(until);
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const occurrences = [];
    if (event.isRecurring()) {
      const iterator = event.iterator();
      for (let next = iterator.next(); next && occurrences.length < MAX_OCCURRENCES; next = iterator.next()) {
        if (next.compare(limit) > 0) break;
        occurrences.push(icalJsTime(next));
      }
    }
    return {
      uid: event.uid,
      summary: event.summary,
      status: vevent.getFirstPropertyValue("status"),
      sequence: event.sequence,
      start: icalJsTime(event.startDate),
      end: icalJsTime(event.endDate),
      description: event.description,
      location: event.location,
      url: vevent.getFirstPropertyValue("url"),
      categories: vevent.getAllProperties("categories").flatMap((property) => property.getValues()),
      occurrences,
    };
  });
  return {
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events,
  };
}

function wallTime(date, zone) {
  // "sv-SE" formats as "2026-03-17 09:00:00".
  const format = new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return format.format(date).replace(" ", "T");
}

function nodeIcalTime(value) {
  if (value.dateOnly) {
    const pad = (n) => String(n).padStart(2, "0");
    return { date: `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}` };
  }
  const zone = value.tz || "UTC";
  return { local: wallTime(value, zone), zone, utc: value.toISOString() };
}

function plain(value) {
  // node-ical gives a property with parameters as {params, val}.
  return value && typeof value === "object" && "val" in value ? value.val : value;
}

function nodeIcalParse(source) {
  const parsed = nodeIcal.sync.parseICS(source);
  const events = Object.values(parsed)
    .filter((entry) => entry.type === "VEVENT")
    .map((event) => {
      const occurrences = event.rrule
        ? nodeIcal
            .expandRecurringEvent(event, { from: event.start, to: new Date(`${until}T23:59:59Z`) })
            .slice(0, MAX_OCCURRENCES)
            .map((instance) => nodeIcalTime(instance.start))
        : [];
      return {
        uid: event.uid,
        summary: plain(event.summary),
        status: event.status,
        sequence: event.sequence === undefined ? null : Number(event.sequence),
        start: nodeIcalTime(event.start),
        end: nodeIcalTime(event.end),
        description: plain(event.description) ?? null,
        location: plain(event.location) ?? null,
        url: plain(event.url) ?? null,
        categories: event.categories ?? [],
        occurrences,
      };
    });
  const calendar = Object.values(parsed).find((entry) => entry.type === "VCALENDAR");
  return { name: calendar ? plain(calendar["WR-CALNAME"]) ?? null : null, events };
}

const PARSERS = { icaljs: icalJs, nodeical: nodeIcalParse };
const parsed = {};
const failures = [];
for (const path of paths) {
  const text = readFileSync(path, "utf8");
  parsed[path] = {};
  for (const [name, parse] of Object.entries(PARSERS)) {
    try {
      parsed[path][name] = parse(text);
    } catch (error) {
      failures.push(`${path}: ${name}: ${error.stack ?? error}`);
    }
  }
}
if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(parsed, null, 1)}\n`);
