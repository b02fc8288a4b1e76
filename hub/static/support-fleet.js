// The fleet view: every kiosk with its connection, app, devices and open alerts; sortable,
// filterable, refreshed every 15 s without losing the sort or the filter.
"use strict";

(() => {
  const {$, element, cell} = support;
  const REFRESH_MS = 15000;
  const state = {
    fleet: null,
    sort: {key: "alerts", descending: true},
    refreshes: 0,
  };
  window.fleetState = state;

  function sortValue(kiosk, key) {
    switch (key) {
      case "name": return kiosk.name;
      case "location": return kiosk.location;
      // Offline first when ascending: those are the ones to look at.
      case "online": return kiosk.online ? 1 : 0;
      case "app": return kiosk.app_state || "";
      case "update": return supportUpdate.look((kiosk.update || {}).state).rank;
      case "alerts": return kiosk.open_alerts.length * 2 + (kiosk.online ? 0 : 1);
      default: return "";
    }
  }

  function searchText(kiosk) {
    const devices = Object.entries(kiosk.devices || {})
      .map(([id, d]) => `${id} ${support.deviceName(id)} ${d.state} ${d.code || ""}`);
    const alerts = kiosk.open_alerts.map(
      (a) => `${support.alertWhat(a)} ${support.attentionText(a, kiosk.contact)}`);
    return [kiosk.kiosk_id, kiosk.name, kiosk.location, kiosk.contact, kiosk.app_state,
            kiosk.version, kiosk.online ? "online" : "offline", ...devices, ...alerts,
            kiosk.update ? supportUpdate.sentence(kiosk.update) : ""]
      .join(" ").toLowerCase();
  }

  function visible(kiosks) {
    const words = $("filter-text").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const alertsOnly = $("filter-alerts").checked;
    const offlineOnly = $("filter-offline").checked;
    return kiosks.filter((k) => {
      if (alertsOnly && k.open_alerts.length === 0) return false;
      if (offlineOnly && k.online) return false;
      const text = searchText(k);
      return words.every((w) => text.includes(w));
    });
  }

  function connectionCell(kiosk, now) {
    const label = kiosk.online ? "Online" : "Offline";
    return cell([
      element("span", {className: `badge ${kiosk.online ? "ok" : "bad"} connection`},
        element("span", {className: "mark", "aria-hidden": "true"}, kiosk.online ? "●" : "○"),
        label),
      element("br"),
      element("small", {}, kiosk.last_heartbeat
        ? `last heartbeat ${support.ago(kiosk.last_heartbeat, now)} (${support.when(kiosk.last_heartbeat)})`
        : "no heartbeat yet"),
    ]);
  }

  function appCell(kiosk) {
    const inUse = kiosk.session_active ? element("small", {className: "in-use"}, "citizen using it") : null;
    return cell([
      element("span", {className: `app-state ${kiosk.app_state || "unknown"}`}, kiosk.app_state || "unknown"),
      kiosk.online ? null : element("small", {}, " (last known)"),
      kiosk.version ? element("small", {}, ` v${kiosk.version}`) : null,
      inUse ? element("br") : null, inUse,
    ]);
  }

  // Installed and wanted version, and how the last update went.
  function updateCell(kiosk) {
    const update = kiosk.update || {};
    const versions = update.wanted && update.wanted !== update.installed
      ? `${update.installed ? `${update.installed} → ` : ""}wants ${update.wanted}` : update.installed || kiosk.version || "";
    return cell([
      supportUpdate.badge(update.state), versions ? element("small", {}, ` ${versions}`) : null,
      update.state ? [element("br"), element("small", {className: "update-text"}, supportUpdate.sentence(update))] : null,
    ], {className: "update", dataset: {state: update.state || "none"}});
  }

  function alertsCell(kiosk) {
    if (kiosk.open_alerts.length === 0) return cell(element("span", {className: "muted"}, "none"));
    const list = element("ul", {className: "alerts"});
    for (const alert of kiosk.open_alerts) {
      list.append(element("li", {className: `alert ${support.alertLevel(alert)}`},
        element("strong", {}, support.alertWhat(alert)), " — ",
        element("span", {className: "attention"}, support.attentionText(alert, kiosk.contact))));
    }
    return cell(list);
  }

  function row(kiosk, now) {
    const devices = element("div", {className: "badges"},
      support.deviceIds(kiosk.devices).map((id) => support.deviceBadge(id, kiosk.devices[id], !kiosk.online)));
    const name = element("th", {scope: "row", className: "name"},
      element("a", {href: `/support/kiosks/${encodeURIComponent(kiosk.kiosk_id)}`}, kiosk.name),
      element("br"), element("small", {}, kiosk.kiosk_id));
    return element("tr", {
      dataset: {kiosk: kiosk.kiosk_id, online: String(kiosk.online), alerts: String(kiosk.open_alerts.length)},
      className: kiosk.online ? "" : "offline",
    },
    name, cell(kiosk.location), connectionCell(kiosk, now), appCell(kiosk), updateCell(kiosk),
    cell(Object.keys(kiosk.devices || {}).length ? devices : element("span", {className: "muted"}, "no report")),
    alertsCell(kiosk));
  }

  function render() {
    const fleet = state.fleet;
    if (!fleet) return;
    const kiosks = fleet.kiosks;
    const offline = kiosks.filter((k) => !k.online).length;
    const alerts = kiosks.reduce((n, k) => n + k.open_alerts.length, 0);
    $("summary").textContent =
      `${kiosks.length} kiosks · ${offline} offline · ${alerts} open alerts · updated ${support.when(fleet.at)}`;
    const shown = support.sorted(visible(kiosks), state.sort, sortValue);
    const body = $("fleet").tBodies[0];
    body.replaceChildren(...shown.map((k) => row(k, fleet.at)));
    if (shown.length === 0) {
      body.append(support.emptyRow(7, kiosks.length ? "No kiosk matches the filter." : "No kiosks enrolled yet."));
    }
    $("shown").textContent = shown.length === kiosks.length ? "" : `showing ${shown.length} of ${kiosks.length}`;
  }

  async function refresh() {
    try {
      state.fleet = await support.getJson("/api/support/fleet");
      state.refreshes += 1;
      support.status("");
      render();
      document.body.dataset.loaded = "true";
    } catch (error) {
      support.status(`Could not load the fleet: ${error.message}. Trying again in 15 s.`, true);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    support.sortableHeaders($("fleet"), state.sort, render);
    for (const id of ["filter-text", "filter-alerts", "filter-offline"]) {
      $(id).addEventListener("input", render);
    }
    $("filters").addEventListener("submit", (e) => e.preventDefault());
    support.whoAmI().catch(() => {});
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
