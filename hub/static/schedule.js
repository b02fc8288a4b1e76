// The schedule's week view (docs/appointments.md "Schedules"): one advisor's bookable slots,
// Monday to Sunday in Helsinki time; add a slot, remove a free one, make the private calendar
// feed's address. An advisor sees their own week; an admin picks the advisor.
"use strict";

const ZONE = "Europe/Helsinki";
const DAY_NAMES = ["Ma / Mon", "Ti / Tue", "Ke / Wed", "To / Thu", "Pe / Fri", "La / Sat", "Su / Sun"];
const LANGUAGES = {fi: "suomi / Finnish", sv: "ruotsi / Swedish", en: "englanti / English"};
const STATUS = {
  booked: "Varattu / Booked",
  arrived: "Saapunut / Arrived",
  served: "Palveltu / Served",
  no_show: "Ei saapunut / No-show",
};
// A booking still to be kept: an admin may cancel it.
const LIVE = new Set(["booked", "arrived"]);
const HOUR_PX = 108;  // a 20-minute slot shows two lines: its time, and line and booking

const $ = (id) => document.getElementById(id);

const state = {
  me: null,            // /api/me: username, role, csrf_token
  advisor: "",         // whose week (an admin's choice; an advisor's own)
  week: "",            // "2026-W50"
  monday: null,        // that week's Monday, a UTC date standing for a calendar day
  lines: [],           // the lines the advisor answers
  slots: [],
  slotMinutes: 20,
  lineNames: {},
  topics: {},
};
window.scheduleState = state;

// ---- dates: calendar days as UTC midnights; wall times in Helsinki ---------------------------

function isoWeek(day) {
  // The ISO week of a calendar day: the week of its Thursday.
  const thursday = new Date(day);
  thursday.setUTCDate(day.getUTCDate() + 3 - ((day.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const first = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round((thursday - first) / 86400000 / 7 - 3 / 7 + ((first.getUTCDay() + 6) % 7) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

function mondayOf(week) {
  const [year, w] = week.split("-W").map(Number);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(4 - ((jan4.getUTCDay() + 6) % 7) + (w - 1) * 7);
  return monday;
}

function addDays(day, n) {
  const d = new Date(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d;
}

const PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

// A moment's wall clock in Helsinki: {year, month, day, hour, minute}.
function helsinki(moment) {
  const out = {};
  for (const p of PARTS.formatToParts(moment)) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return out;
}

function wallAsUtc(w) {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

// The UTC moment of a Helsinki wall time (ISO 8601 with milliseconds and Z, as the hub speaks).
function fromHelsinki(day, hour, minute) {
  const guess = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute);
  let t = guess - (wallAsUtc(helsinki(new Date(guess))) - guess);
  const again = guess - (wallAsUtc(helsinki(new Date(t))) - t);
  if (again !== t) t = again;
  return new Date(t).toISOString();
}

function dayKey(w) {
  return `${w.year}-${w.month}-${w.day}`;
}

function clock(w) {
  return `${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}`;
}

function shortDate(day) {
  return `${day.getUTCDate()}.${day.getUTCMonth() + 1}.`;
}

// ---- the hub ---------------------------------------------------------------------------------

async function api(method, path, body) {
  const options = {method, headers: {}};
  if (method !== "GET") options.headers["X-CSRF-Token"] = state.me ? state.me.csrf_token : "";
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  return {status: response.status, ok: response.ok, data};
}

function asAdmin() {
  return state.me && state.me.role === "admin";
}

function advisorQuery(prefix) {
  return asAdmin() && state.advisor ? `${prefix}advisor=${encodeURIComponent(state.advisor)}` : "";
}

function say(text, bad) {
  $("status").textContent = text || "";
  $("status").classList.toggle("bad", Boolean(bad));
}

function problem(result) {
  const d = result.data || {};
  return d.error || `HTTP ${result.status}`;
}

async function load(week) {
  let path = "/api/schedule";
  const query = [week ? `week=${encodeURIComponent(week)}` : "", advisorQuery("")].filter(Boolean);
  if (query.length) path += `?${query.join("&")}`;
  let result = await api("GET", path);
  if (!week && result.status === 422) {
    // A hub that wants the week named: this browser's week.
    return load(isoWeek(new Date(Date.UTC(...todayHere()))));
  }
  if (!result.ok) {
    say(`Viikkoa ei saatu / Could not load the week: ${problem(result)}`, true);
    return;
  }
  const d = result.data;
  state.week = d.week;
  state.monday = mondayOf(d.week);
  state.lines = d.lines || [];
  state.slots = d.slots || [];
  if (d.slot_minutes) state.slotMinutes = d.slot_minutes;
  if (d.advisor) state.advisor = d.advisor;
  if (asAdmin()) renderAdvisors(d.advisors || [d.advisor]);
  render();
  document.body.dataset.loaded = "true";
  document.body.dataset.week = state.week;
}

function todayHere() {
  const w = helsinki(new Date());
  return [w.year, w.month - 1, w.day];
}

// ---- drawing ---------------------------------------------------------------------------------

function lineName(id) {
  return state.lineNames[id] || id;
}

function renderAdvisors(names) {
  const select = $("advisor");
  const known = [...select.options].map((o) => o.value);
  if (known.join() !== names.join()) {
    select.replaceChildren();
    for (const name of names) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.append(option);
    }
  }
  select.value = state.advisor;
}

function render() {
  const sunday = addDays(state.monday, 6);
  const number = Number(state.week.split("-W")[1]);
  $("week-title").textContent =
    `Viikko / Week ${number} · ${shortDate(state.monday)}–${shortDate(sunday)}${sunday.getUTCFullYear()}`;
  $("slot-minutes").textContent = String(state.slotMinutes);
  renderForm();
  renderWeek();
}

function renderForm() {
  const lineSelect = $("slot-line");
  const chosenLine = lineSelect.value;
  lineSelect.replaceChildren();
  for (const line of state.lines) {
    const option = document.createElement("option");
    option.value = line;
    option.textContent = lineName(line);
    lineSelect.append(option);
  }
  if (state.lines.includes(chosenLine)) lineSelect.value = chosenLine;
  $("add-slot-button").disabled = state.lines.length === 0;
  if (state.lines.length === 0) {
    say("Et vastaa millekään linjalle / No lines to add slots to");
  }
  const daySelect = $("slot-day");
  const chosenDay = daySelect.selectedIndex;
  daySelect.replaceChildren();
  for (let i = 0; i < 7; i++) {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = `${DAY_NAMES[i]} ${shortDate(addDays(state.monday, i))}`;
    daySelect.append(option);
  }
  daySelect.selectedIndex = chosenDay >= 0 ? chosenDay : 0;
}

function slotText(slot, start, end) {
  const parts = [`${clock(start)}–${clock(end)}`];
  const b = slot.booking;
  if (b) {
    parts.push(STATUS[b.status] || b.status, lineName(slot.line));
    if (b.topic) parts.push(state.topics[b.topic] || b.topic);
    if (b.language) parts.push(LANGUAGES[b.language] || b.language);
  } else {
    parts.push("Vapaa / Free", lineName(slot.line));
  }
  return parts;
}

function renderWeek() {
  const grid = $("week");
  grid.replaceChildren();
  const days = [...Array(7).keys()].map((i) => addDays(state.monday, i));
  const keys = days.map((d) => dayKey({year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate()}));
  const placed = state.slots.map((slot) => {
    const start = helsinki(new Date(slot.starts_at));
    const end = helsinki(new Date(slot.ends_at));
    return {slot, start, end, column: keys.indexOf(dayKey(start))};
  }).filter((p) => p.column >= 0);
  // Office hours, stretched to whatever slots lie outside them.
  let first = 8;
  let last = 18;
  for (const p of placed) {
    first = Math.min(first, p.start.hour);
    last = Math.max(last, p.end.hour + (p.end.minute > 0 ? 1 : 0), p.start.hour + 1);
  }
  const height = (last - first) * HOUR_PX;
  grid.style.setProperty("--hour", `${HOUR_PX}px`);

  grid.append(document.createElement("div"));  // the corner above the hours
  const today = dayKey(helsinki(new Date()));
  days.forEach((day, i) => {
    const head = document.createElement("div");
    head.className = "day-head";
    if (keys[i] === today) head.classList.add("today");
    head.textContent = `${DAY_NAMES[i]} ${shortDate(day)}`;
    grid.append(head);
  });

  const hours = document.createElement("div");
  hours.className = "hours";
  hours.style.height = `${height}px`;
  for (let h = first; h < last; h++) {
    const mark = document.createElement("div");
    mark.className = "hour";
    mark.style.top = `${(h - first) * HOUR_PX}px`;
    mark.textContent = `${String(h).padStart(2, "0")}:00`;
    hours.append(mark);
  }
  grid.append(hours);

  const now = Date.now();
  days.forEach((day, i) => {
    const column = document.createElement("div");
    column.className = "day";
    column.dataset.day = String(i);
    column.style.height = `${height}px`;
    column.setAttribute("role", "list");
    column.setAttribute("aria-label", `${DAY_NAMES[i]} ${shortDate(day)}`);
    column.addEventListener("click", (e) => {
      if (e.target !== column) return;
      // A click on the day picks it and the time under the pointer, to the slot's length.
      const minutes = first * 60 + (e.offsetY / HOUR_PX) * 60;
      const rounded = Math.floor(minutes / state.slotMinutes) * state.slotMinutes;
      $("slot-day").value = String(i);
      $("slot-time").value = `${String(Math.floor(rounded / 60)).padStart(2, "0")}:${String(rounded % 60).padStart(2, "0")}`;
      for (const c of grid.querySelectorAll(".day")) c.classList.toggle("chosen", c === column);
      $("slot-time").focus();
    });
    for (const p of placed.filter((x) => x.column === i)) column.append(slotElement(p, first, now));
    grid.append(column);
  });
}

function slotElement(p, first, now) {
  const {slot, start, end} = p;
  const box = document.createElement("div");
  box.className = `slot ${slot.booking ? "booked" : "free"}`;
  if (new Date(slot.ends_at).getTime() < now) box.classList.add("past");
  box.dataset.slot = slot.id;
  box.setAttribute("role", "listitem");
  const top = ((start.hour - first) * 60 + start.minute) / 60 * HOUR_PX;
  const minutes = (new Date(slot.ends_at) - new Date(slot.starts_at)) / 60000;
  box.style.top = `${top}px`;
  box.style.height = `${Math.max(minutes / 60 * HOUR_PX, 22)}px`;
  const [when, ...what] = slotText(slot, start, end);
  box.title = [when, ...what].join(" · ");
  const w = document.createElement("span");
  w.className = "when";
  w.textContent = when;
  const rest = document.createElement("span");
  rest.className = "what";
  rest.textContent = what.join(" · ");
  box.append(w, " ", rest);
  if (!slot.booking) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Poista / Remove ${when} ${lineName(slot.line)}`);
    remove.title = "Poista / Remove";
    remove.addEventListener("click", () => removeSlot(slot, when));
    box.append(remove);
  } else if (asAdmin() && LIVE.has(slot.booking.status)) {
    // Only an admin cancels a citizen's booking (the slot is then free, the contact deleted).
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "remove cancel";
    cancel.textContent = "×";
    cancel.setAttribute("aria-label", `Peru varaus / Cancel the booking ${when} ${lineName(slot.line)}`);
    cancel.title = "Peru varaus / Cancel the booking";
    cancel.addEventListener("click", () => cancelBooking(slot, when));
    box.append(cancel);
  }
  return box;
}

// ---- changes ---------------------------------------------------------------------------------

async function addSlot(event) {
  event.preventDefault();
  const line = $("slot-line").value;
  const time = $("slot-time").value;
  if (!line || !/^\d{2}:\d{2}$/.test(time)) {
    say("Valitse linja, päivä ja aika / Choose a line, a day and a time", true);
    return;
  }
  const [hour, minute] = time.split(":").map(Number);
  const day = addDays(state.monday, Number($("slot-day").value));
  const body = {line, starts_at: fromHelsinki(day, hour, minute)};
  if (asAdmin() && state.advisor) body.advisor = state.advisor;
  $("add-slot-button").disabled = true;
  const result = await api("POST", "/api/schedule/slots", body);
  $("add-slot-button").disabled = false;
  const label = `${DAY_NAMES[Number($("slot-day").value)]} ${shortDate(day)} ${time}`;
  if (result.status === 201) {
    say(`Lisätty / Added: ${label}, ${lineName(line)}`);
  } else {
    say(`Ei lisätty / Not added: ${problem(result)}`, true);
  }
  await load(state.week);
}

async function removeSlot(slot, when) {
  const result = await api("DELETE", `/api/schedule/slots/${encodeURIComponent(slot.id)}`);
  if (result.status === 204) {
    say(`Poistettu / Removed: ${when}, ${lineName(slot.line)}`);
  } else if (result.status === 409) {
    say("Aika on varattu, sitä ei poistettu / The slot is booked: not removed", true);
  } else {
    say(`Ei poistettu / Not removed: ${problem(result)}`, true);
  }
  await load(state.week);
}

async function cancelBooking(slot, when) {
  const question = `Perutaanko asiakkaan varaus ${when}? Asiakkaalle ei lähde viestiä.\n` +
    `Cancel the citizen's booking at ${when}? The citizen is not told.`;
  if (!window.confirm(question)) return;
  const result = await api("POST", `/api/schedule/bookings/${encodeURIComponent(slot.booking.id)}/cancel`);
  if (result.ok) {
    say(`Varaus peruttu / Booking cancelled: ${when}, ${lineName(slot.line)}`);
  } else {
    say(`Ei peruttu / Not cancelled: ${problem(result)}`, true);
  }
  await load(state.week);
}

function moveWeek(days) {
  say("");
  load(isoWeek(addDays(state.monday, days)));
}

async function makeFeed() {
  $("make-feed").disabled = true;
  const result = await api("POST", `/api/schedule/feed${advisorQuery("?")}`);
  $("make-feed").disabled = false;
  if (!result.ok || !result.data || !result.data.url) {
    $("feed-status").textContent = `Osoitetta ei saatu / No address: ${problem(result)}`;
    return;
  }
  $("feed-url").value = result.data.url;
  $("copy-feed").disabled = false;
  $("feed-status").textContent =
    "Uusi osoite tehty; vanha ei enää toimi / A new address: the old one no longer works";
}

async function copyFeed() {
  const url = $("feed-url").value;
  if (!url) return;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    // Without the clipboard API (a page not served over HTTPS): the old way.
    $("feed-url").select();
    document.execCommand("copy");
  }
  $("feed-status").textContent = "Kopioitu / Copied";
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  const me = await api("GET", "/api/me");
  if (!me.ok) {
    location.assign("/login");
    return;
  }
  state.me = me.data;
  $("username").textContent = state.me.username;
  $("csrf-token").value = state.me.csrf_token;
  $("to-console").hidden = state.me.role !== "advisor";
  const lines = await api("GET", "/api/lines");
  if (lines.ok) {
    // As the console names them (its hello's line_names).
    for (const line of lines.data.lines || []) state.lineNames[line.id] = line.name.fi || line.id;
    for (const t of lines.data.callback_topics || []) state.topics[t.id] = `${t.name.fi} / ${t.name.en}`;
  }
  if (asAdmin()) {
    // The advisors come with the week (those the hub's lines name); one may be asked for.
    state.advisor = new URLSearchParams(location.search).get("advisor") || "";
    const select = $("advisor");
    select.addEventListener("change", () => {
      state.advisor = select.value;
      $("feed-url").value = "";
      $("copy-feed").disabled = true;
      $("feed-status").textContent = "";
      say("");
      load(state.week);
    });
    $("advisor-choice").hidden = false;
  }
  await load("");
}

document.addEventListener("DOMContentLoaded", () => {
  $("add-slot").addEventListener("submit", addSlot);
  $("prev-week").addEventListener("click", () => moveWeek(-7));
  $("next-week").addEventListener("click", () => moveWeek(7));
  $("this-week").addEventListener("click", () => { say(""); load(""); });
  $("make-feed").addEventListener("click", makeFeed);
  $("copy-feed").addEventListener("click", copyFeed);
  start().catch((e) => say(`Virhe / Error: ${e}`, true));
});
