// One kiosk's page: status, alerts, remote actions (each confirmed first), log search and the
// device history. Refreshes every 15 s, and every 3 s while an action waits for the kiosk.
"use strict";

(() => {
  const {$, element, cell} = support;
  const REFRESH_MS = 15000;
  const PENDING_MS = 3000;
  const KIND_NAMES = {
    "restart-app": "Restart app", "self-test": "Self-test", "test-page": "Print test page",
    screenshot: "Screenshot",
  };
  const kioskId = decodeURIComponent(window.location.pathname.split("/").pop());
  const api = `/api/support/kiosks/${encodeURIComponent(kioskId)}`;
  const state = {detail: null, pending: null, timer: null, shownScreenshot: null};
  window.kioskState = state;

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
    fact(list, "Software version", kiosk.version || "—");
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

  function renderHistory(history) {
    const rows = history.map((h) => element("tr", {},  // newest first, as the hub lists them
      cell(support.when(h.at)), element("th", {scope: "row"}, support.deviceName(h.device_id)),
      cell(support.stateName(h.state)), cell(h.attention || ""), cell(h.code ? support.codeName(h.code) : "")));
    $("history").tBodies[0].replaceChildren(...(rows.length ? rows : [support.emptyRow(5, "No changes recorded.")]));
  }

  function schedule(detail) {
    clearTimeout(state.timer);
    const waiting = detail && detail.actions.some((a) => !a.done_at);
    state.timer = setTimeout(refresh, waiting ? PENDING_MS : REFRESH_MS);
  }

  async function refresh() {
    try {
      const detail = await support.getJson(api);
      state.detail = detail;
      const now = detail.at || null;  // the hub's clock, when it says
      renderStatus(detail.kiosk, now);
      renderAlerts(detail.alerts, detail.kiosk.contact);
      renderActions(detail.actions);
      renderHistory(detail.device_history);
      document.body.dataset.loaded = "true";
      schedule(detail);
    } catch (error) {
      support.status(`Could not load the kiosk: ${error.message}. Trying again.`, true);
      schedule(null);
    }
  }

  async function searchLogs(event) {
    if (event) event.preventDefault();
    const params = new URLSearchParams({q: $("log-q").value.trim(), level: $("log-level").value, limit: "200"});
    const body = $("logs").tBodies[0];
    try {
      const data = await support.getJson(`${api}/logs?${params}`);
      const rows = data.records.map((r) => element("tr", {className: `level-${r.level}`},
        cell(support.when(r.at)), cell(element("span", {className: `level ${r.level}`}, r.level)),
        cell(r.kind || ""), cell(r.device_id ? support.deviceName(r.device_id) : ""), cell(r.code || ""),
        cell(r.message || "")));
      body.replaceChildren(...(rows.length ? rows : [support.emptyRow(6, "No records match.")]));
      $("logs").dataset.count = String(rows.length);
    } catch (error) {
      support.status(`Could not search the logs: ${error.message}`, true);
    }
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
    support.whoAmI().catch(() => {});
    refresh();
    searchLogs();
  });
})();
