// One kiosk's page: status, alerts, remote actions (each confirmed first), log search and the
// device history. Refreshes every 15 s, and every 3 s while an action waits for the kiosk.
// Log records and the device history come a page at a time, newest first; the search, the
// level and both pages live in the address (?q=&level=&page=&hpage=), so that a reload, Back
// and a copied link show the same records.
"use strict";

(() => {
  const {$, element, cell} = support;
  const REFRESH_MS = 15000;
  const PENDING_MS = 3000;
  const LOG_PAGE = 50;
  const HISTORY_PAGE = 20;
  const count = new Intl.NumberFormat("en-GB");
  const KIND_NAMES = {
    "restart-app": "Restart app", "self-test": "Self-test", "test-page": "Print test page",
    screenshot: "Screenshot",
  };
  const kioskId = decodeURIComponent(window.location.pathname.split("/").pop());
  const api = `/api/support/kiosks/${encodeURIComponent(kioskId)}`;
  const state = {detail: null, pending: null, timer: null, shownScreenshot: null, view: readView()};
  window.kioskState = state;

  // ---- the view in the address: search, level and pages ------------------------------------

  function pageNumber(text) {
    const n = Number.parseInt(text || "1", 10);
    return Number.isFinite(n) && n >= 1 ? n : 1;
  }

  function readView() {
    const p = new URLSearchParams(window.location.search);
    return {q: (p.get("q") || "").trim(), level: p.get("level") || "",
      page: pageNumber(p.get("page")), hpage: pageNumber(p.get("hpage"))};
  }

  function address(view) {
    const p = new URLSearchParams();
    if (view.q) p.set("q", view.q);
    if (view.level) p.set("level", view.level);
    if (view.page > 1) p.set("page", String(view.page));
    if (view.hpage > 1) p.set("hpage", String(view.hpage));
    const query = p.toString();
    return `${window.location.pathname}${query ? `?${query}` : ""}`;
  }

  function go(view, replace) {
    state.view = view;
    const url = address(view);
    if (url !== `${window.location.pathname}${window.location.search}`) {
      window.history[replace ? "replaceState" : "pushState"](null, "", url);
    }
    relink();
  }

  // Every pager link's address from the view now, so that one opened in a new tab shows the
  // same search and the other list's page too.
  function relink() {
    for (const link of document.querySelectorAll(".pager a[data-page]")) {
      const key = link.closest(".pager").dataset.pager === "logs" ? "page" : "hpage";
      link.href = address({...state.view, [key]: Number(link.dataset.page)});
    }
  }

  function showViewInForm() {
    $("log-q").value = state.view.q;
    const level = $("log-level");
    level.value = state.view.level;
    if (level.value !== state.view.level) level.value = "";
  }

  // Newer/Older links and the "records 51–100 of 2,314" line of the pagers named `name`.
  function renderPager(name, rangeText, page, hasOlder) {
    for (const pager of document.querySelectorAll(`[data-pager="${name}"]`)) {
      pager.querySelector(".range").textContent = rangeText;
      for (const [link, target, enabled] of [
        [pager.querySelector(".newer"), page - 1, page > 1],
        [pager.querySelector(".older"), page + 1, hasOlder],
      ]) {
        if (enabled) {
          link.dataset.page = String(target);
          link.removeAttribute("aria-disabled");
        } else {
          link.removeAttribute("href");
          delete link.dataset.page;
          link.setAttribute("aria-disabled", "true");
        }
      }
      // One page only: no links; the bottom pager goes, the top one keeps its count.
      const single = page === 1 && !hasOlder;
      for (const link of pager.querySelectorAll("a")) link.hidden = single;
      pager.hidden = single && (pager.classList.contains("bottom") || !rangeText);
    }
    relink();
  }

  function range(page, size, shown, total, noun) {
    if (!total) return "";
    const first = (page - 1) * size + 1;
    return `${noun} ${count.format(first)}–${count.format(first + shown - 1)} of ${count.format(total)}`;
  }

  function fact(list, term, value) {
    list.append(element("dt", {}, term), element("dd", {}, value));
  }

  function selfTestText(test) {
    if (!test) return "never";
    const results = Object.entries(test.results || {})
      .map(([device, result]) => `${support.deviceName(device)}: ${result}`).join(", ");
    return `${support.when(test.at)} — ${results || "no results"}`;
  }

  function renderStatus(kiosk, now) {
    document.title = `${kiosk.name} · Support · kiosk-hub`;
    $("kiosk-name").textContent = `${kiosk.name} (${kiosk.kiosk_id})`;
    $("kiosk-where").textContent =
      `${kiosk.location} · library staff: ${kiosk.contact || "no contact on record"}`;
    const list = $("kiosk-status");
    list.replaceChildren();
    fact(list, "Connection", [
      element("span", {className: `badge ${kiosk.online ? "ok" : "bad"} connection`},
        kiosk.online ? "Online" : "Offline"),
      ` last heartbeat ${support.when(kiosk.last_heartbeat)}`,
      now && kiosk.last_heartbeat ? ` (${support.ago(kiosk.last_heartbeat, now)})` : "",
    ]);
    fact(list, "App", `${kiosk.app_state || "unknown"}${kiosk.session_active ? " · citizen using it" : ""}`);
    const update = kiosk.update || {};
    fact(list, "Software version", [update.installed || kiosk.version || "—",
      update.wanted && update.wanted !== update.installed ? ` (wanted: ${update.wanted})` : ""]);
    fact(list, "Software update", update.state ? [supportUpdate.badge(update.state), " ",
      supportUpdate.sentence(update), update.at ? ` (${support.when(update.at)})` : ""] : "no report");
    const disk = kiosk.disk || {};
    fact(list, "Disk free", disk.total_bytes
      ? `${support.bytes(disk.free_bytes)} of ${support.bytes(disk.total_bytes)}` : "—");
    const memory = kiosk.memory || {};
    fact(list, "Memory available", memory.total_bytes
      ? `${support.bytes(memory.available_bytes)} of ${support.bytes(memory.total_bytes)}` : "—");
    fact(list, "Uptime", support.duration(kiosk.uptime_s));
    fact(list, "Last self-test", selfTestText(kiosk.last_self_test));
    const ids = support.deviceIds(kiosk.devices);
    $("kiosk-devices").replaceChildren(
      ...ids.map((id) => support.deviceBadge(id, kiosk.devices[id], !kiosk.online)));
    $("in-use-note").hidden = !kiosk.session_active;
    const select = $("self-test-device");
    const chosen = select.value;
    select.replaceChildren(element("option", {value: ""}, "all devices"),
      ...ids.map((id) => element("option", {value: id}, support.deviceName(id))));
    select.value = ids.includes(chosen) ? chosen : "";
  }

  function renderAlerts(alerts, contact) {
    const open = alerts.filter((a) => !a.cleared_at);
    const closed = alerts.filter((a) => a.cleared_at);
    const rows = [...open, ...closed].map((a) => element("tr",
      {className: a.cleared_at ? "cleared" : `open ${support.alertLevel(a)}`, dataset: {alert: a.id}},
      element("th", {scope: "row"}, support.alertWhat(a), a.cleared_at ? "" : " (open)"),
      cell(support.attentionText(a, contact)), cell(support.when(a.opened_at)),
      cell(a.cleared_at ? support.when(a.cleared_at) : "still open"), cell(a.detail || "")));
    $("alerts").tBodies[0].replaceChildren(...(rows.length ? rows : [support.emptyRow(5, "No alerts.")]));
  }

  function actionState(action) {
    if (action.done_at) return `done ${support.when(action.done_at)}`;
    if (action.delivered_at) return `delivered ${support.when(action.delivered_at)}, waiting for the result`;
    return "waiting for the kiosk's next heartbeat";
  }

  function renderActions(actions) {
    const rows = actions.map((a) => {
      const what = `${KIND_NAMES[a.kind] || a.kind}${a.device_id ? ` (${support.deviceName(a.device_id)})` : ""}`;
      const result = a.done_at ? [
        element("span", {className: `badge ${a.ok ? "ok" : "bad"}`}, a.ok ? "OK" : "Failed"),
        a.message ? ` ${a.message}` : "",
        a.has_screenshot ? [" ", element("a", {href: `/api/support/actions/${encodeURIComponent(a.id)}/screenshot`,
          target: "_blank", rel: "noopener"}, "open screenshot")] : "",
      ] : "—";
      return element("tr", {dataset: {action: a.id, done: String(Boolean(a.done_at))}},
        cell(support.when(a.requested_at)), element("th", {scope: "row"}, what), cell(a.requested_by),
        cell(actionState(a)), cell(result));
    });
    $("actions").tBodies[0].replaceChildren(...(rows.length ? rows : [support.emptyRow(5, "No actions yet.")]));
    const shot = actions.find((a) => a.has_screenshot);
    if (shot && state.shownScreenshot !== shot.id) {
      state.shownScreenshot = shot.id;
      const url = `/api/support/actions/${encodeURIComponent(shot.id)}/screenshot`;
      $("screenshot-image").src = url;
      $("screenshot-link").href = url;
      $("screenshot-image").alt = `The kiosk's screen at ${support.when(shot.done_at)}`;
      $("screenshot-caption").textContent = `Screenshot taken ${support.when(shot.done_at)}, asked by ${shot.requested_by}`;
      $("screenshot").hidden = false;
    }
  }

  function renderHistory(history, total) {
    const page = state.view.hpage;
    const rows = history.map((h) => element("tr", {},  // newest first, as the hub lists them
      cell(support.when(h.at)), element("th", {scope: "row"}, support.deviceName(h.device_id)),
      cell(support.stateName(h.state)), cell(h.attention || ""), cell(h.code ? support.codeName(h.code) : "")));
    $("history").tBodies[0].replaceChildren(...(rows.length ? rows : [support.emptyRow(5, "No changes recorded.")]));
    $("history").dataset.count = String(rows.length);
    renderPager("history", range(page, HISTORY_PAGE, rows.length, total, "Changes"), page,
      page * HISTORY_PAGE < total);
  }

  function schedule(detail) {
    clearTimeout(state.timer);
    const waiting = detail && detail.actions.some((a) => !a.done_at);
    state.timer = setTimeout(refresh, waiting ? PENDING_MS : REFRESH_MS);
  }

  function historyUrl() {
    const offset = (state.view.hpage - 1) * HISTORY_PAGE;
    return `${api}?history_limit=${HISTORY_PAGE}&history_offset=${offset}`;
  }

  async function refresh() {
    try {
      let detail = await support.getJson(historyUrl());
      const total = detail.device_history_total || 0;
      const last = Math.max(1, Math.ceil(total / HISTORY_PAGE));
      if (state.view.hpage > last) {  // past the end (a stale link): show the oldest page
        go({...state.view, hpage: last}, true);
        detail = await support.getJson(historyUrl());
      }
      state.detail = detail;
      const now = detail.at || null;  // the hub's clock, when it says
      renderStatus(detail.kiosk, now);
      renderAlerts(detail.alerts, detail.kiosk.contact);
      renderActions(detail.actions);
      renderHistory(detail.device_history, detail.device_history_total || 0);
      document.body.dataset.loaded = "true";
      schedule(detail);
    } catch (error) {
      support.status(`Could not load the kiosk: ${error.message}. Trying again.`, true);
      schedule(null);
    }
  }

  function logsUrl() {
    const view = state.view;
    const params = new URLSearchParams({q: view.q, level: view.level, limit: String(LOG_PAGE),
      offset: String((view.page - 1) * LOG_PAGE)});
    return `${api}/logs?${params}`;
  }

  async function loadLogs() {
    const body = $("logs").tBodies[0];
    try {
      let data = await support.getJson(logsUrl());
      const last = Math.max(1, Math.ceil(data.total / LOG_PAGE));
      if (state.view.page > last) {  // past the end (a stale link): show the oldest page
        go({...state.view, page: last}, true);
        data = await support.getJson(logsUrl());
      }
      const page = state.view.page;
      const rows = data.records.map((r) => element("tr", {className: `level-${r.level}`},
        cell(support.when(r.at)), cell(element("span", {className: `level ${r.level}`}, r.level)),
        cell(r.kind || ""), cell(r.device_id ? support.deviceName(r.device_id) : ""), cell(r.code || ""),
        cell(r.message || "")));
      const filtered = Boolean(state.view.q || state.view.level);
      body.replaceChildren(...(rows.length ? rows
        : [support.emptyRow(6, filtered ? "No records match." : "No records yet.")]));
      $("logs").dataset.count = String(rows.length);
      $("logs").dataset.total = String(data.total);
      $("logs").dataset.page = String(page);
      const text = data.total
        ? `${range(page, LOG_PAGE, rows.length, data.total, "Records")}${filtered ? " matching" : ""}`
        : "";
      renderPager("logs", text, page, page * LOG_PAGE < data.total);
    } catch (error) {
      support.status(`Could not search the logs: ${error.message}`, true);
    }
  }

  function searchLogs(event) {
    if (event) event.preventDefault();
    go({...state.view, q: $("log-q").value.trim(), level: $("log-level").value, page: 1}, false);
    loadLogs();
  }

  // A Newer/Older link: follow it in place (a new tab or window still gets the whole page).
  function followPager(event) {
    const link = event.target.closest(".pager a[data-page]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const pager = link.closest(".pager");
    const logs = pager.dataset.pager === "logs";
    go({...state.view, [logs ? "page" : "hpage"]: Number(link.dataset.page)}, false);
    const arrived = logs ? loadLogs() : refresh();
    arrived.then(() => {
      // Keep the reader at the top of what they paged to, and focus where they can go on.
      if (pager.classList.contains("bottom")) $(logs ? "logs-title" : "history-title").scrollIntoView();
      if (!link.hasAttribute("href")) $(logs ? "logs-range" : "history-range").focus({preventScroll: true});
    });
  }

  // ---- actions, each confirmed before it goes -------------------------------------------

  function ask(kind) {
    const device = kind === "self-test" ? $("self-test-device").value || null : null;
    const name = state.detail ? state.detail.kiosk.name : kioskId;
    const what = {
      "restart-app": `Restart the app on ${name}? A citizen using it loses what they were doing.`,
      "self-test": `Run the self-test of ${device ? support.deviceName(device) : "all devices"} on ${name}?`,
      "test-page": `Print a test page on ${name}'s printer?`,
      screenshot: `Take a screenshot of ${name}? The kiosk takes it only if no citizen is using it.`,
    }[kind];
    state.pending = {kind, device_id: device};
    $("confirm-text").textContent = what;
    $("confirm").hidden = false;
    $("confirm").dataset.kind = kind;
    $("confirm-yes").focus();
  }

  function closeConfirm() {
    state.pending = null;
    $("confirm").hidden = true;
  }

  async function send() {
    const pending = state.pending;
    closeConfirm();
    if (!pending) return;
    try {
      const body = {kind: pending.kind};
      if (pending.device_id) body.device_id = pending.device_id;
      await support.postJson(`${api}/actions`, body);
      support.status(`${KIND_NAMES[pending.kind]} sent; the kiosk picks it up with its next heartbeat.`);
      await refresh();
    } catch (error) {
      support.status(`The action was not sent: ${error.message}`, true);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll(".action-buttons button[data-kind]")) {
      button.addEventListener("click", () => ask(button.dataset.kind));
    }
    $("confirm-yes").addEventListener("click", send);
    $("confirm-no").addEventListener("click", closeConfirm);
    $("confirm").addEventListener("keydown", (e) => { if (e.key === "Escape") closeConfirm(); });
    $("log-search").addEventListener("submit", searchLogs);
    $("log-level").addEventListener("change", () => searchLogs());
    document.addEventListener("click", followPager);
    window.addEventListener("popstate", () => {
      state.view = readView();
      showViewInForm();
      loadLogs();
      refresh();
    });
    showViewInForm();
    support.whoAmI().catch(() => {});
    refresh();
    loadLogs();
  });
})();
