// Usage over a period: charts (drawn by support-charts.js) and tables per kiosk and service,
// and the same period as CSV. The period is in the address (?from=&to=), so it can be shared.
"use strict";

(() => {
  const {$, element, cell} = support;
  const SERVICE_NAMES = {
    forms: "E-forms", email: "E-mail", scan: "Scanning", print: "Printing", copy: "Copying",
    fee: "Fees", advice: "Video advice", help: "Help",
  };
  // Interpreters' languages by their BCP 47 tag (hub.toml's [lines.<id>] interpreting); others
  // keep their tag.
  const LANGUAGE_NAMES = {
    fse: "Finnish Sign Language", fss: "Finland-Swedish Sign Language", fi: "Finnish",
    sv: "Swedish", en: "English", ar: "Arabic", so: "Somali", ru: "Russian", uk: "Ukrainian",
  };
  const state = {usage: null, sort: {key: "sessions", descending: true}};
  window.usageState = state;

  const serviceName = (id) => SERVICE_NAMES[id] || id;
  // The hub names an e-service by its catalogue; one no longer in it keeps its id.
  const eserviceName = (item) => item.name || item.eservice;

  function isoDate(date) {
    return date.toISOString().slice(0, 10);
  }

  function shortDate(iso) {
    const [, month, day] = iso.split("-");
    return `${Number(day)}.${Number(month)}.`;
  }

  function lastThirtyDays() {
    const to = new Date();
    const from = new Date(to.getTime() - 29 * 86400000);
    return {from: isoDate(from), to: isoDate(to)};
  }

  async function load(period) {
    const query = period ? `?${new URLSearchParams(period)}` : "";
    try {
      return await support.getJson(`/api/support/usage${query}`);
    } catch (error) {
      // The hub chooses the default period by its own clock; if it wants one named, name it.
      if (!period && error.status === 400) return load(lastThirtyDays());
      throw error;
    }
  }

  function renderCharts(usage) {
    const days = usage.per_day.map((d) => ({
      label: d.date, short: shortDate(d.date), value: d.sessions, title: `${d.date}: ${d.sessions} sessions`,
    }));
    charts.columns($("chart-days"), days, {
      labelledBy: "chart-days-title", description: "Sessions per day, all kiosks; the numbers are in each bar's title.",
    });
    const services = [...usage.per_service].sort((a, b) => b.uses - a.uses)
      .map((s) => ({label: serviceName(s.service), value: s.uses, text: String(s.uses)}));
    charts.bars($("chart-services"), services, {
      labelledBy: "chart-services-title", description: "Uses per service; the same numbers as the Per service table.",
    });
    const eservices = usage.per_eservice
      .map((e) => ({label: eserviceName(e), value: e.opens, text: String(e.opens)}));
    charts.bars($("chart-eservices"), eservices, {
      labelledBy: "chart-eservices-title", description: "Opens per e-service; the same numbers as the E-services opened table.",
    });
    const kiosks = [...usage.per_kiosk].sort((a, b) => b.utilisation - a.utilisation)
      .map((k) => ({label: k.name, value: k.utilisation, text: support.percent(k.utilisation)}));
    charts.bars($("chart-utilisation"), kiosks, {
      labelledBy: "chart-utilisation-title", max: 1,
      description: "Utilisation per kiosk in per cent; the same numbers as the Per kiosk table.",
    });
  }

  function sortValue(k, key) {
    return key === "name" ? k.name : k[key] ?? 0;
  }

  function renderPerKiosk() {
    const rows = support.sorted(state.usage.per_kiosk, state.sort, sortValue).map((k) => element("tr",
      {dataset: {kiosk: k.kiosk_id}},
      element("th", {scope: "row"}, element("a", {href: `/support/kiosks/${encodeURIComponent(k.kiosk_id)}`}, k.name)),
      cell(k.sessions), cell(k.video_calls), cell(seconds(k.avg_wait_s)), cell(seconds(k.avg_talk_s)),
      cell(k.forms_submitted), cell(k.pages_printed), cell(k.payments), cell(support.percent(k.utilisation))));
    $("per-kiosk").tBodies[0].replaceChildren(...(rows.length ? rows : [support.emptyRow(9, "No kiosks.")]));
  }

  function seconds(value) {
    return value === null || value === undefined ? "—" : support.duration(value);
  }

  // One row per service (or e-service), its count for all kiosks and one column per kiosk.
  function renderBreakdown(table, rows, {what, total, name, id, count, perKiosk, none}) {
    const kiosks = state.usage.per_kiosk;
    $(`${table}-head`).replaceChildren(
      element("th", {scope: "col"}, what), element("th", {scope: "col"}, total),
      ...kiosks.map((k) => element("th", {scope: "col"}, k.name)));
    const body = rows.map((item) => element("tr",
      {dataset: {id: id(item)}},
      element("th", {scope: "row"}, name(item)), cell(count(item)),
      ...kiosks.map((k) => cell((k[perKiosk] || {})[id(item)] || 0))));
    $(table).tBodies[0].replaceChildren(
      ...(body.length ? body : [support.emptyRow(2 + kiosks.length, none)]));
  }

  function renderPerService(usage) {
    renderBreakdown("per-service", [...usage.per_service].sort((a, b) => b.uses - a.uses), {
      what: "Service", total: "All kiosks", name: (s) => serviceName(s.service), id: (s) => s.service,
      count: (s) => s.uses, perKiosk: "services", none: "No uses in this period.",
    });
    renderBreakdown("per-eservice", usage.per_eservice, {
      what: "E-service", total: "All kiosks", name: eserviceName, id: (e) => e.eservice,
      count: (e) => e.opens, perKiosk: "eservices", none: "No e-service opened in this period.",
    });
  }

  // Calls an interpreter joined, by the language interpreted (anonymous: counts only).
  function renderInterpreted(usage) {
    const rows = (usage.per_interpreter_language || []).map((item) => element("tr",
      {dataset: {language: item.language}},
      element("th", {scope: "row"}, LANGUAGE_NAMES[item.language] ? `${LANGUAGE_NAMES[item.language]} (${item.language})` : item.language),
      cell(item.calls)));
    $("per-interpreter-language").tBodies[0].replaceChildren(
      ...(rows.length ? rows : [support.emptyRow(2, "No interpreted calls in this period.")]));
    $("interpreted-calls").textContent = String(usage.interpreted_calls || 0);
  }

  function render(usage) {
    $("from").value = usage.from;
    $("to").value = usage.to;
    const period = new URLSearchParams({from: usage.from, to: usage.to});
    $("csv").href = `/api/support/usage.csv?${period}`;
    $("csv").setAttribute("download", `kiosk-usage-${usage.from}-${usage.to}.csv`);
    const sessions = usage.per_kiosk.reduce((n, k) => n + k.sessions, 0);
    const uses = usage.per_service.reduce((n, s) => n + s.uses, 0);
    const opens = usage.per_eservice.reduce((n, e) => n + e.opens, 0);
    $("summary").textContent = `${usage.from} – ${usage.to}: ${sessions} sessions, ${uses} service uses ` +
      `and ${opens} e-services opened on ${usage.per_kiosk.length} kiosks`;
    renderCharts(usage);
    renderPerKiosk();
    renderPerService(usage);
    renderInterpreted(usage);
  }

  async function show(period) {
    try {
      state.usage = await load(period);
      support.status("");
      render(state.usage);
      document.body.dataset.loaded = "true";
    } catch (error) {
      support.status(`Could not load usage: ${error.message}`, true);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    support.sortableHeaders($("per-kiosk"), state.sort, () => state.usage && renderPerKiosk());
    $("period").addEventListener("submit", (event) => {
      event.preventDefault();
      if ($("from").value > $("to").value) {
        support.status("The period's start is after its end.", true);
        return;
      }
      const period = {from: $("from").value, to: $("to").value};
      history.replaceState(null, "", `/support/usage?${new URLSearchParams(period)}`);
      show(period);
    });
    let resized = null;
    window.addEventListener("resize", () => {
      clearTimeout(resized);
      resized = setTimeout(() => state.usage && renderCharts(state.usage), 200);
    });
    const query = new URLSearchParams(window.location.search);
    const period = query.get("from") && query.get("to") ? {from: query.get("from"), to: query.get("to")} : null;
    support.whoAmI().catch(() => {});
    show(period);
  });
})();
