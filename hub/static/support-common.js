// What the support pages share: fetching the support API (with the CSRF token for POSTs),
// formatting times and sizes, device badges, alert wording, and sortable tables.
"use strict";

const support = (() => {
  const $ = (id) => document.getElementById(id);
  let csrfToken = "";

  function element(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class HttpError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body || null;  // the hub's answer: a 422 names its `field`
    }
  }

  async function request(method, url, body) {
    const headers = {Accept: "application/json"};
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = csrfToken;
    }
    const response = await fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      // The session ended (logged out elsewhere, or expired): log in again.
      window.location.assign("/login");
      throw new HttpError(401, "login required");
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      throw new HttpError(response.status, (data && data.error) || response.statusText, data);
    }
    return data;
  }

  const getJson = (url) => request("GET", url);
  const postJson = (url, body) => request("POST", url, body);

  // Who is logged in, and the CSRF token for the logout form and every POST.
  async function whoAmI() {
    const me = await getJson("/api/me");
    csrfToken = me.csrf_token;
    const field = $("csrf-token");
    if (field) field.value = csrfToken;
    const who = $("username");
    if (who) who.textContent = `${me.username} (${me.role})`;
    return me;
  }

  function status(text, bad) {
    const box = $("status");
    if (!box) return;
    box.textContent = text || "";
    box.classList.toggle("bad", Boolean(bad));
  }

  // ---- formatting --------------------------------------------------------------------------

  const dateTime = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });

  function when(iso) {
    if (!iso) return "—";
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? iso : dateTime.format(at);
  }

  // How long before `now` (both ISO times; the hub's clock, not the browser's).
  function ago(iso, nowIso) {
    if (!iso) return "never";
    const seconds = Math.max(0, (Date.parse(nowIso) - Date.parse(iso)) / 1000);
    if (Number.isNaN(seconds)) return "";
    return `${duration(seconds)} ago`;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const s = Math.round(seconds);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  }

  function bytes(n) {
    if (n === null || n === undefined) return "—";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
  }

  function percent(fraction) {
    return `${Math.round((fraction || 0) * 1000) / 10} %`;
  }

  // ---- devices and alerts ------------------------------------------------------------------

  const DEVICE_ORDER = ["printer", "camera", "cardreader", "card_reader", "payment"];
  const DEVICE_NAMES = {cardreader: "card reader", card_reader: "card reader"};

  function deviceName(id) {
    return DEVICE_NAMES[id] || id;
  }

  function deviceIds(devices) {
    return Object.keys(devices || {}).sort((a, b) => {
      const ia = DEVICE_ORDER.indexOf(a), ib = DEVICE_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
  }

  const STATE_NAMES = {
    user_error: "needs staff", hardware_error: "hardware error", no_device: "not connected",
  };
  const CODE_NAMES = {
    "media-empty": "out of paper", "media-low": "paper low", "media-jam": "paper jam",
    "toner-empty": "out of toner", "toner-low": "toner low", "door-open": "door open",
  };

  function stateName(state) {
    return STATE_NAMES[state] || state || "unknown";
  }

  // A device's code in words where it has some, with the code itself for searching.
  function codeName(code) {
    return CODE_NAMES[code] ? `${CODE_NAMES[code]} (${code})` : code;
  }

  // How bad a device state is, for the badge's class: ok, warn or bad (text says it too).
  function severity(device) {
    const attention = device.attention || "none";
    if (attention === "maintenance" || attention === "suspend" || device.state === "offline") {
      return "bad";
    }
    if (attention === "clear" || !["online", "busy"].includes(device.state) || device.code) {
      return "warn";
    }
    return "ok";
  }

  // `stale`: the kiosk is offline, so this is only what it said last.
  function deviceBadge(id, device, stale) {
    const parts = [stateName(device.state)];
    if (device.code) parts.push(codeName(device.code));
    const level = stale ? "stale" : severity(device);
    const mark = {ok: "✓", warn: "!", bad: "✕", stale: "?"}[level];
    return element("span", {className: `badge ${level}`, dataset: {device: id, state: device.state}},
      element("span", {className: "mark", "aria-hidden": "true"}, mark),
      element("strong", {}, `${deviceName(id)}:`), ` ${parts.join(" · ")}`,
      stale ? " (last known)" : "");
  }

  // Who should act on an alert, in words: library staff (with their contact) or a technician.
  function attentionText(alert, contact) {
    const staff = contact || "(no contact on record)";
    if (alert.source === "offline") {
      return `Technician; first ask library staff to check power and network: ${staff}`;
    }
    if (alert.attention === "clear") return `Call library staff: ${staff}`;
    if (alert.attention === "maintenance") return "Technician";
    if (alert.attention === "suspend") return "Technician (kiosk suspended)";
    return alert.attention || "";
  }

  function alertWhat(alert) {
    if (alert.source === "offline") return "Kiosk offline";
    if (alert.source === "app") return `App ${alert.code || "down"}`;
    if (alert.source === "update") {
      return alert.code === "rolled-back" ? "Update rolled back" : "Update failed";
    }
    const device = alert.device_id ? deviceName(alert.device_id) : "device";
    return `${device}: ${alert.code ? codeName(alert.code) : "fault"}`;
  }

  function alertLevel(alert) {
    return alert.attention === "clear" ? "warn" : "bad";
  }

  // ---- sortable tables ---------------------------------------------------------------------

  // Header buttons that sort by a column; `sort` is {key, descending}, kept by the caller so that
  // a refresh keeps it. `onChange` redraws.
  function sortableHeaders(table, sort, onChange) {
    for (const th of table.querySelectorAll("th[data-sort]")) {
      const button = element("button", {type: "button", className: "sort"}, ...th.childNodes);
      button.append(element("span", {className: "arrow", "aria-hidden": "true"}));
      th.replaceChildren(button);
      button.addEventListener("click", () => {
        const key = th.dataset.sort;
        sort.descending = sort.key === key ? !sort.descending : false;
        sort.key = key;
        markSorted(table, sort);
        onChange();
      });
    }
    markSorted(table, sort);
  }

  function markSorted(table, sort) {
    for (const th of table.querySelectorAll("th[data-sort]")) {
      const active = th.dataset.sort === sort.key;
      th.setAttribute("aria-sort", active ? (sort.descending ? "descending" : "ascending") : "none");
      const arrow = th.querySelector(".arrow");
      if (arrow) arrow.textContent = active ? (sort.descending ? " ▼" : " ▲") : "";
    }
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a ?? "").localeCompare(String(b ?? ""), "fi", {numeric: true});
  }

  function sorted(rows, sort, value) {
    const out = [...rows].sort((x, y) => compare(value(x, sort.key), value(y, sort.key)));
    return sort.descending ? out.reverse() : out;
  }

  function cell(content, attrs) {
    return element("td", attrs || {}, content);
  }

  function emptyRow(columns, text) {
    return element("tr", {}, element("td", {colspan: columns, className: "empty"}, text));
  }

  return {
    $, element, request, getJson, postJson, whoAmI, status, when, ago, duration, bytes,
    percent, deviceName, deviceIds, stateName, codeName, deviceBadge, severity, attentionText, alertWhat, alertLevel,
    sortableHeaders, sorted, cell, emptyRow, HttpError,
  };
})();
window.support = support;
