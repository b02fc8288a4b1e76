// Deliveries: the forms and e-mail kiosks sent, whether the hub has delivered them, and a retry
// (confirmed first) for those that failed or still wait. Metadata only: the API never gives a
// submission's contents. Refreshed every 15 s, and every second while a retry is on its way.
"use strict";

(() => {
  const {$, element, cell} = support;
  const REFRESH_MS = 15000;
  const WATCH_MS = 1000;
  const WATCH_ROUNDS = 60;
  const LIMIT = 500;  // the API lists at most this many per request
  const STATUS = {
    failed: {rank: 0, word: "Failed", level: "bad", mark: "✕"},
    pending: {rank: 1, word: "Waiting", level: "warn", mark: "…"},
    delivered: {rank: 2, word: "Delivered", level: "ok", mark: "✓"},
  };
  const KINDS = {form: "Form", email: "E-mail", callback: "Callback"};
  const state = {
    submissions: [],
    sort: {key: "status", descending: false},
    refreshes: 0,
    asking: null,  // the submission whose retry is being confirmed
    watching: new Set(),  // retried submissions still on their way
    truncated: false,
  };
  window.deliveriesState = state;

  const kindName = (kind) => KINDS[kind] || kind;

  function describe(s) {
    const what = s.kind === "email" ? "The e-mail"
      : s.kind === "callback" ? "The callback request"
      : `The form ${s.form || ""}`.trimEnd();
    return `${what} from ${s.kiosk_id}, received ${support.when(s.received_at)}`;
  }

  function sortValue(s, key) {
    if (key === "status") return STATUS[s.status] ? STATUS[s.status].rank : 9;
    if (key === "attempts") return s.attempts;
    return s[key] ?? "";
  }

  // All (with every failed and waiting one even when the newest 500 are all delivered), or one
  // status; newest first, which the sort keeps within equal values.
  async function load() {
    const status = $("filter-status").value;
    const statuses = status ? [status] : ["", "failed", "pending"];
    const answers = await Promise.all(statuses.map((s) =>
      support.getJson(`/api/support/submissions${s ? `?status=${s}` : ""}`)));
    const byId = new Map();
    answers.forEach((answer) => answer.submissions.forEach((s) => byId.set(s.id, s)));
    state.truncated = answers.some((answer) => answer.submissions.length >= LIMIT);
    state.submissions = [...byId.values()].sort((a, b) =>
      String(b.received_at).localeCompare(String(a.received_at)));
    const failed = state.submissions.filter((s) => s.status === "failed").length;
    if (!status || status === "failed") window.supportNav.setFailedCount(failed);
    else window.supportNav.showFailedCount();
  }

  function statusCell(s) {
    const look = STATUS[s.status] || {word: s.status, level: "stale", mark: "?"};
    const parts = [element("span", {className: `badge ${look.level}`},
      element("span", {className: "mark", "aria-hidden": "true"}, look.mark), look.word)];
    if (s.status === "pending" && s.next_attempt_at) {
      parts.push(element("br"), element("small", {}, `next try ${support.when(s.next_attempt_at)}`));
    }
    if (s.status === "failed") {
      parts.push(element("br"), element("small", {}, "waits for support"));
    }
    return cell(parts);
  }

  function retryCell(s) {
    if (s.status === "delivered") return cell("");
    return cell(element("button", {
      type: "button", className: "retry", dataset: {id: s.id},
      "aria-label": `Retry now: ${describe(s)}`,
    }, "Retry now"));
  }

  function row(s) {
    return element("tr", {dataset: {id: s.id, status: s.status}, className: `delivery ${s.status}`},
      cell(element("time", {datetime: s.received_at}, support.when(s.received_at))),
      cell(element("a", {href: `/support/kiosks/${encodeURIComponent(s.kiosk_id)}`}, s.kiosk_id)),
      cell(kindName(s.kind)),
      cell(s.form || "—"),
      statusCell(s),
      cell(String(s.attempts)),
      cell(s.last_error || "—", {className: "error-text"}),
      cell(s.delivered_at ? support.when(s.delivered_at) : "—"),
      retryCell(s));
  }

  function render() {
    const shown = support.sorted(state.submissions, state.sort, sortValue);
    const status = $("filter-status").value;
    const empty = status ? `No ${STATUS[status].word.toLowerCase()} submissions.` : "No submissions yet.";
    $("deliveries").tBodies[0].replaceChildren(...(shown.length ? shown.map(row) : [support.emptyRow(9, empty)]));
    const count = (st) => state.submissions.filter((s) => s.status === st).length;
    const parts = status
      ? [`${shown.length} ${STATUS[status].word.toLowerCase()}`]
      : [`${count("failed")} failed`, `${count("pending")} waiting`, `${count("delivered")} delivered`];
    $("summary").textContent = parts.join(" · ");
    $("shown").textContent = state.truncated ? `only the newest ${LIMIT} of each are shown` : "";
  }

  async function refresh() {
    try {
      await load();
      render();
      state.refreshes += 1;
      document.body.dataset.loaded = "true";
      return true;
    } catch (error) {
      support.status(`Could not load the submissions: ${error.message}`, true);
      return false;
    }
  }

  // ---- retry, confirmed first --------------------------------------------------------------

  function askRetry(id) {
    const s = state.submissions.find((x) => x.id === id);
    if (!s) return;
    state.asking = s;
    const note = s.status === "failed"
      ? "It failed and the hub has stopped trying; this is one more attempt."
      : "The hub would try it again by itself later; this tries it now.";
    $("confirm-text").textContent = `Retry now? ${describe(s)}. ${note}`;
    $("confirm").hidden = false;
    $("confirm-yes").focus();
  }

  function closeConfirm() {
    const id = state.asking && state.asking.id;
    state.asking = null;
    $("confirm").hidden = true;
    const button = id && document.querySelector(`button.retry[data-id="${id}"]`);
    if (button) button.focus();
  }

  async function retry() {
    const s = state.asking;
    if (!s) return;
    closeConfirm();
    try {
      await support.postJson(`/api/support/submissions/${encodeURIComponent(s.id)}/retry`);
      support.status(`Retry asked: ${describe(s)}.`);
      state.watching.add(s.id);
    } catch (error) {
      const why = error.status === 409 ? "it was delivered already"
        : error.status === 404 ? "the hub has no such submission" : error.message;
      support.status(`Could not retry: ${why}.`, true);
    }
    await refresh();
    watch(s.id, WATCH_ROUNDS);
  }

  // Refresh every second until the retried one is no longer on its way (or a minute is up).
  function watch(id, rounds) {
    const s = state.submissions.find((x) => x.id === id);
    const onItsWay = s && s.status === "pending";
    if (!onItsWay || rounds <= 0) {
      state.watching.delete(id);
      if (s && s.status !== "pending") {
        support.status(`${describe(s)}: ${STATUS[s.status].word.toLowerCase()}.`, s.status === "failed");
      }
      return;
    }
    setTimeout(async () => {
      await refresh();
      watch(id, rounds - 1);
    }, WATCH_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    support.sortableHeaders($("deliveries"), state.sort, render);
    $("filter-status").addEventListener("change", refresh);
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("deliveries").addEventListener("click", (event) => {
      const button = event.target.closest("button.retry");
      if (button) askRetry(button.dataset.id);
    });
    $("confirm-yes").addEventListener("click", retry);
    $("confirm-no").addEventListener("click", closeConfirm);
    $("confirm").addEventListener("keydown", (e) => { if (e.key === "Escape") closeConfirm(); });
    support.whoAmI().catch(() => {});
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
