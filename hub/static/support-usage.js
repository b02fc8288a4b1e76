// Usage over a period: charts (drawn by support-charts.js) and tables per kiosk and service,
// and the same period as CSV; then video advice over the same period: appointments, callbacks,
// calls by channel and queue waits by hour, one chart per line with its table. The period (and
// the advice's line) is in the address (?from=&to=&line=), so it can be shared.
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
  const state = {usage: null, sort: {key: "sessions", descending: true}, advice: null, line: ""};
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

  // ---- video advice --------------------------------------------------------------------------

  // A wait or a delay in words: to the second below an hour, to the minute below a day.
  function wait(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const s = Math.round(seconds);
    const parts = (big, bigUnit, small, smallUnit) =>
      (small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`);
    if (s < 60) return `${s} s`;
    if (s < 3600) return parts(Math.floor(s / 60), "min", s % 60, "s");
    if (s < 86400) return parts(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "min");
    return support.duration(s);
  }

  // Axis steps that read as durations: seconds, minutes, hours.
  const WAIT_STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200];

  function share(part, whole) {
    return whole ? ` (${Math.round((part / whole) * 100)} %)` : "";
  }

  function hourSpan(hour) {
    const two = (h) => String(h % 24).padStart(2, "0");
    return `${two(hour)}–${two(hour + 1)}`;
  }

  function figures(list, rows) {
    list.replaceChildren(...rows.flatMap(([name, value, key]) => [
      element("dt", {}, name), element("dd", {dataset: {figure: key}}, value),
    ]));
  }

  function lineName(advice, id) {
    const found = advice.lines.find((line) => line.id === id);
    return found ? found.name : id;
  }

  function renderLineChoice(advice) {
    const choice = $("advice-line");
    choice.replaceChildren(element("option", {value: ""}, "All lines"),
      ...advice.lines.map((line) => element("option", {value: line.id}, line.name)));
    choice.value = advice.line || "";
  }

  function renderAdviceCounts(advice) {
    const a = advice.appointments, c = advice.callbacks, calls = advice.calls;
    figures($("advice-appointments"), [
      ["Booked (all, still to come too)", String(a.booked), "booked"],
      ["Served", `${a.served}${share(a.served, a.booked)}`, "served"],
      ["No-show", `${a.no_show}${share(a.no_show, a.booked)}`, "no_show"],
      ["Cancelled", `${a.cancelled}${share(a.cancelled, a.booked)}`, "cancelled"],
    ]);
    figures($("advice-callbacks"), [
      ["Asked for", String(c.asked), "asked"],
      ["Called back", `${c.done}${share(c.done, c.asked)}`, "done"],
      ["Not reached", `${c.no_answer}${share(c.no_answer, c.asked)}`, "no_answer"],
      ["Never called back (contact deleted after the retention period)",
        `${c.expired}${share(c.expired, c.asked)}`, "expired"],
      ["Still open", String(c.open), "open"],
      ["Time to call back, median (p50)", wait(c.time_to_call_back_s.p50), "call_back_p50"],
      ["Time to call back, p90", wait(c.time_to_call_back_s.p90), "call_back_p90"],
    ]);
    const all = calls.kiosk + calls.home;
    figures($("advice-calls"), [
      ["All video calls", String(all), "all"],
      ["From a kiosk", `${calls.kiosk}${share(calls.kiosk, all)}`, "kiosk"],
      ["From home", `${calls.home}${share(calls.home, all)}`, "home"],
    ]);
  }

  const SERIES = [
    {key: "p50", label: "Median (p50)"},
    {key: "p90", label: "p90", className: "hatched"},
  ];

  // One figure per line: its chart of p50 and p90 by hour, and a table of the same numbers.
  function renderWaits(advice) {
    const box = $("advice-waits");
    const items = advice.wait_s;
    if (!items.length) {
      box.replaceChildren(element("p", {className: "muted"}, "No calls waited in a queue in this period."));
      return;
    }
    const hours = items.map((w) => w.hour);
    const first = Math.min(...hours), last = Math.max(...hours);
    const max = Math.max(...items.map((w) => w.p90));
    const order = advice.lines.map((line) => line.id);
    const lines = [...new Set(items.map((w) => w.line))]
      .sort((a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9) || a.localeCompare(b));
    box.replaceChildren();
    lines.forEach((line, n) => {
      const name = lineName(advice, line);
      const rows = items.filter((w) => w.line === line);
      const titleId = `advice-wait-title-${n}`;
      const chart = element("div", {className: "wait-chart-box"});
      const table = element("table", {className: "data numbers waits", dataset: {line}},
        element("caption", {className: "visually-hidden"}, `${name}: queue wait by hour, the chart's numbers`),
        element("thead", {}, element("tr", {},
          element("th", {scope: "col"}, "Hour"), element("th", {scope: "col"}, "Calls"),
          element("th", {scope: "col"}, "Median (p50)"), element("th", {scope: "col"}, "p90"))),
        element("tbody", {}, rows.map((w) => element("tr", {dataset: {hour: w.hour}},
          element("th", {scope: "row"}, hourSpan(w.hour)), cell(w.calls), cell(wait(w.p50)), cell(wait(w.p90))))));
      box.append(element("figure", {className: "panel chart wait-chart", dataset: {line}},
        element("figcaption", {id: titleId}, `${name}: queue wait by hour of day`), chart, table));
      const byHour = new Map(rows.map((w) => [w.hour, w]));
      const groups = [];
      for (let hour = first; hour <= last; hour += 1) {
        const w = byHour.get(hour);
        groups.push({
          label: hourSpan(hour), short: String(hour).padStart(2, "0"),
          title: w ? `${hourSpan(hour)}, ${w.calls} calls` : `${hourSpan(hour)}, no calls`,
          values: w ? {p50: w.p50, p90: w.p90} : {},
        });
      }
      charts.groups(chart, groups, {
        labelledBy: titleId, series: SERIES, max, steps: WAIT_STEPS, format: wait,
        description: `Queue wait on ${name} by hour of day, median and p90; the same numbers are in the table beside it.`,
      });
    });
  }

  function renderAdvice(advice) {
    renderLineChoice(advice);
    const scope = advice.line ? lineName(advice, advice.line) : "all lines";
    const calls = advice.calls.kiosk + advice.calls.home;
    $("advice-summary").textContent = `${advice.from} – ${advice.to}, ${scope}: ` +
      `${advice.appointments.booked} booked appointments, ${advice.callbacks.asked} callbacks asked ` +
      `and ${calls} video calls`;
    renderAdviceCounts(advice);
    renderWaits(advice);
  }

  async function showAdvice(usage) {
    const query = new URLSearchParams({from: usage.from, to: usage.to});
    if (state.line) query.set("line", state.line);
    try {
      state.advice = await support.getJson(`/api/support/advice-usage?${query}`);
      renderAdvice(state.advice);
    } catch (error) {
      state.advice = null;
      $("advice-summary").textContent = `Could not load the figures of video advice: ${error.message}`;
    }
  }

  function address(period) {
    const query = new URLSearchParams(period);
    if (state.line) query.set("line", state.line);
    return `/support/usage?${query}`;
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
      await showAdvice(state.usage);
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
      history.replaceState(null, "", address(period));
      show(period);
    });
    $("advice-filter").addEventListener("submit", (event) => event.preventDefault());
    $("advice-line").addEventListener("change", async () => {
      if (!state.usage) return;
      state.line = $("advice-line").value;
      history.replaceState(null, "", address({from: state.usage.from, to: state.usage.to}));
      document.body.dataset.loaded = "false";
      await showAdvice(state.usage);
      document.body.dataset.loaded = "true";
    });
    let resized = null;
    window.addEventListener("resize", () => {
      clearTimeout(resized);
      resized = setTimeout(() => {
        if (state.usage) renderCharts(state.usage);
        if (state.advice) renderWaits(state.advice);
      }, 200);
    });
    const query = new URLSearchParams(window.location.search);
    state.line = query.get("line") || "";
    const period = query.get("from") && query.get("to") ? {from: query.get("from"), to: query.get("to")} : null;
    support.whoAmI().catch(() => {});
    show(period);
  });
})();
