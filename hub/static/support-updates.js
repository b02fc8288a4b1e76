// The Updates page: the versions set for all kiosks, a library or a pilot group, and each
// kiosk's installed and wanted version with how its last update went, filterable by that
// state. An admin sets or takes away a version and edits pilot groups, each confirmed with how
// many kiosks it reaches; support staff see the same page without the controls.
// Refreshed every 15 s; what an admin is typing or ticking is kept.
"use strict";

(() => {
  const {$, element, cell} = support;
  const words = supportUpdate;
  const REFRESH_MS = 15000;
  // A table of thousands of rows takes the browser seconds to lay out: the first this many
  // (rolled-back and failed first) are drawn, and the filter finds the others.
  const ROWS = 500;
  const NEW_GROUP = "";
  const state = {
    data: null,
    admin: false,
    sort: {key: "state", descending: false},
    refreshes: 0,
    asking: null,  // {text, yes, run}: the change being confirmed
    membersOf: null,  // the group whose members the checkboxes show
  };
  window.updatesState = state;

  // ---- which version a kiosk wants (docs/updates.md, "Rollout") ---------------------------

  // The rollout a kiosk takes: its groups' newest, else its library's, else the one for all.
  function resolve(kiosk, rollouts, groups) {
    const byTarget = new Map(rollouts.map((r) => [r.target, r]));
    const mine = groups.filter((g) => g.kiosks.includes(kiosk.kiosk_id))
      .map((g) => byTarget.get(`group:${g.name}`)).filter(Boolean)
      .sort((a, b) => String(b.set_at).localeCompare(String(a.set_at)));
    return mine[0] || (kiosk.library && byTarget.get(`library:${kiosk.library}`)) || byTarget.get("all") || null;
  }

  // What a change does: the kiosks that want `target`'s version after it, and those whose
  // wanted version changes. `rollouts` and `groups` are the state after the change.
  function effect(target, rollouts, groups) {
    const kiosks = state.data.kiosks;
    const before = new Map(kiosks.map((k) => [k.kiosk_id, resolve(k, state.data.rollouts, state.data.groups)]));
    const reach = [];
    const changed = [];
    for (const kiosk of kiosks) {
      const after = resolve(kiosk, rollouts, groups);
      if (after && after.target === target) reach.push(kiosk);
      const was = before.get(kiosk.kiosk_id);
      if ((was && was.version) !== (after && after.version)) changed.push(kiosk);
    }
    return {reach, changed};
  }

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  function names(kiosks) {
    const all = kiosks.map((k) => k.name).sort((a, b) => a.localeCompare(b, "fi", {numeric: true}));
    return all.length > 5 ? `${all.slice(0, 5).join(", ")} and ${all.length - 5} more` : all.join(", ");
  }

  // ---- drawing -------------------------------------------------------------------------------

  function renderRollouts() {
    const rows = state.data.rollouts.map((r) => element("tr", {dataset: {target: r.target}},
      element("th", {scope: "row"}, words.targetName(r.target)),
      cell(element("strong", {}, r.version)), cell(r.set_by || "—"), cell(support.when(r.set_at)),
      cell(String(r.kiosks)),
      state.admin ? cell(element("button", {type: "button", className: "take-away", dataset: {target: r.target},
        "aria-label": `Take ${r.version} away from ${words.targetName(r.target)}`}, "Take away…")) : null));
    $("rollouts").tBodies[0].replaceChildren(...(rows.length ? rows
      : [support.emptyRow(state.admin ? 6 : 5, "No version is set: every kiosk keeps what it has.")]));
  }

  function fillSelect(select, options) {
    const chosen = select.value;
    select.replaceChildren(...options.map(([value, text]) => element("option", {value}, text)));
    if (options.some(([value]) => value === chosen)) select.value = chosen;
  }

  function renderAdmin() {
    const {kiosks, libraries, groups} = state.data;
    fillSelect($("target"), [
      ["all", `All kiosks (${kiosks.length})`],
      ...libraries.map((l) => [`library:${l.library}`, `Library ${l.library} (${plural(l.kiosks, "kiosk", "kiosks")})`]),
      ...groups.map((g) => [`group:${g.name}`, `Pilot group ${g.name} (${plural(g.kiosks.length, "kiosk", "kiosks")})`]),
    ]);
    fillSelect($("group-pick"), [
      ...groups.map((g) => [g.name, `${g.name} (${plural(g.kiosks.length, "kiosk", "kiosks")})`]),
      [NEW_GROUP, "New group…"],
    ]);
    // First shown: the first group (if any) rather than a new one.
    if (state.membersOf === null && groups.length && !groups.some((g) => g.name === $("group-pick").value)) {
      $("group-pick").value = groups[0].name;
    }
    if (state.membersOf === null || $("group-pick").value !== state.membersOf) showMembers();
  }

  // The checkboxes: one per kiosk, ticked for the chosen group's members.
  function showMembers() {
    const name = $("group-pick").value;
    const group = state.data.groups.find((g) => g.name === name);
    state.membersOf = name;
    $("group-name-field").hidden = name !== NEW_GROUP;
    $("group-delete").hidden = !group;
    const members = new Set(group ? group.kiosks : []);
    $("group-members").replaceChildren(...state.data.kiosks.map((k) => element("label", {className: "check"},
      element("input", {type: "checkbox", value: k.kiosk_id, checked: members.has(k.kiosk_id)}),
      ` ${k.name} `, element("small", {}, `${k.kiosk_id}${k.library ? ` · ${k.library}` : ""}`))));
    $("group-filter").value = "";
    countTicked();
    clearErrors();
  }

  function countTicked() {
    const ticked = $("group-members").querySelectorAll("input:checked").length;
    $("group-ticked").textContent = `${plural(ticked, "kiosk", "kiosks")} ticked`;
  }

  // Only the kiosks whose name, id or library has every word typed; ticks stay as they are.
  function findMembers() {
    const terms = $("group-filter").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    for (const label of $("group-members").children) {
      const text = label.textContent.toLowerCase();
      label.hidden = !terms.every((t) => text.includes(t));
    }
  }

  function sortValue(kiosk, key) {
    switch (key) {
      case "state": return words.look(kiosk.state).rank;
      case "name": return kiosk.name;
      case "at": return kiosk.at || "";
      default: return kiosk[key] || "";
    }
  }

  function searchText(k) {
    return [k.kiosk_id, k.name, k.library, ...(k.groups || []), k.installed, k.wanted,
      words.targetName(k.wanted_from), words.look(k.state).word, words.sentence(k)]
      .join(" ").toLowerCase();
  }

  function visible() {
    const filter = $("filter-state").value;
    const terms = $("filter-text").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return state.data.kiosks.filter((k) => words.matches(k.state, filter)
      && terms.every((t) => searchText(k).includes(t)));
  }

  function wantedCell(k) {
    if (!k.wanted) return cell(element("span", {className: "muted"}, "nothing set"), {className: "wanted"});
    // The state says it for a rolled-back or failed one.
    const behind = k.installed && k.installed !== k.wanted && !words.isProblem(k.state);
    return cell([element("strong", {}, k.wanted), behind ? element("small", {className: "behind"}, " not installed yet") : "",
      element("br"), element("small", {}, `from ${words.targetName(k.wanted_from)}`)], {className: "wanted"});
  }

  function row(k) {
    const problem = words.isProblem(k.state);
    return element("tr", {dataset: {kiosk: k.kiosk_id, state: k.state || "none"}, className: problem ? "problem" : ""},
      element("th", {scope: "row", className: "name"},
        element("a", {href: `/support/kiosks/${encodeURIComponent(k.kiosk_id)}`}, k.name),
        element("br"), element("small", {}, k.kiosk_id)),
      cell(k.library || element("span", {className: "muted"}, "—")),
      cell((k.groups || []).length ? k.groups.join(", ") : element("span", {className: "muted"}, "—")),
      cell(k.installed || element("span", {className: "muted"}, "unknown")),
      wantedCell(k),
      cell([words.badge(k.state), " ", element("span", {className: problem ? "update-text problem" : "update-text"},
        words.sentence(k))]),
      cell(k.at ? [support.when(k.at), k.reported_at ? [element("br"),
        element("small", {}, `reported ${support.when(k.reported_at)}`)] : ""] : "—", {className: "when"}));
  }

  function render() {
    const data = state.data;
    if (!data) return;
    const count = (f) => data.kiosks.filter((k) => words.matches(k.state, f)).length;
    const problems = count("problem");
    $("summary").textContent = [
      plural(data.kiosks.length, "kiosk", "kiosks"),
      plural(data.rollouts.length, "version set", "versions set"),
      `${problems} rolled back or failed`, `${count("waiting")} waiting`, `${count("busy")} updating`,
    ].join(" · ");
    $("summary").classList.toggle("bad", problems > 0);
    renderRollouts();
    if (state.admin) renderAdmin();
    const shown = support.sorted(visible(), state.sort, sortValue);
    const drawn = shown.slice(0, ROWS);
    $("kiosks").tBodies[0].replaceChildren(...(drawn.length ? drawn.map(row)
      : [support.emptyRow(7, data.kiosks.length ? "No kiosk matches the filter." : "No kiosks enrolled yet.")]));
    $("shown").textContent = drawn.length < shown.length
      ? `showing the first ${drawn.length} of ${shown.length}${shown.length < data.kiosks.length ? ` matching (${data.kiosks.length} in all)` : ""}: filter to find others`
      : shown.length === data.kiosks.length ? "" : `showing ${shown.length} of ${data.kiosks.length}`;
  }

  async function refresh() {
    try {
      state.data = await support.getJson("/api/support/updates");
      state.refreshes += 1;
      render();
      document.body.dataset.loaded = "true";
      return true;
    } catch (error) {
      support.status(`Could not load the updates: ${error.message}. Trying again in 15 s.`, true);
      return false;
    }
  }

  // ---- admin changes, each confirmed with what it reaches ----------------------------------

  const FIELD_ERRORS = {target: "target-error", version: "version-error", kiosks: "group-members-error",
    name: "group-name-error"};

  function clearErrors() {
    for (const id of Object.values(FIELD_ERRORS)) $(id).textContent = "";
    for (const id of ["target", "version", "group-name"]) $(id).removeAttribute("aria-invalid");
  }

  // A refusal next to the field it names (422 `field`), else in the status line.
  function showError(error, what) {
    const field = error.body && String(error.body.field || "").replace(/\[\d+\]$/, "");  // kiosks[3]
    const box = field && FIELD_ERRORS[field] ? $(FIELD_ERRORS[field]) : null;
    if (box && error.status === 422) {
      box.textContent = error.message;
      const input = {target: "target", version: "version", name: "group-name"}[field];
      if (input) {
        $(input).setAttribute("aria-invalid", "true");
        $(input).focus();
      }
      support.status(`${what} was refused: see the field marked.`, true);
    } else {
      support.status(`${what} failed: ${error.message}`, true);
    }
  }

  function ask(text, yes, run) {
    support.status("");
    state.asking = {text, yes, run};
    $("confirm-text").textContent = text;
    $("confirm-yes").textContent = yes;
    $("confirm").hidden = false;
    $("confirm-yes").focus();
  }

  function closeConfirm() {
    state.asking = null;
    $("confirm").hidden = true;
  }

  async function confirmed() {
    const asking = state.asking;
    closeConfirm();
    if (asking) await asking.run();
  }

  function askSet(event) {
    event.preventDefault();
    clearErrors();
    const target = $("target").value;
    const version = $("version").value.trim();
    if (!version) {
      $("version-error").textContent = "Type the version to install, as published (e.g. 0.3.0).";
      $("version").setAttribute("aria-invalid", "true");
      $("version").focus();
      return;
    }
    const old = state.data.rollouts.find((r) => r.target === target);
    const rollouts = [...state.data.rollouts.filter((r) => r.target !== target),
      {target, version, set_at: "9999"}];  // set now: the newest
    const {reach, changed} = effect(target, rollouts, state.data.groups);
    const has = reach.filter((k) => k.installed === version).length;
    const text = [`Set version ${version} for ${words.targetName(target)}${old ? ` (now ${old.version})` : ""}?`,
      `It will reach ${plural(reach.length, "kiosk", "kiosks")}${reach.length ? ` (${names(reach)})` : ""}`
      + `${has ? `, ${has} of them already ${has === 1 ? "has" : "have"} it` : ""}; `
      + `${plural(changed.length, "kiosk changes", "kiosks change")} what ${changed.length === 1 ? "it wants" : "they want"}.`,
      reach.length ? "They install it in their maintenance window." : ""].join(" ").trim();
    ask(text, `Yes, set ${version}`, async () => {
      try {
        await support.request("PUT", "/api/admin/rollouts", {target, version});
        support.status(`Version ${version} set for ${words.targetName(target)}.`);
        $("version").value = "";
      } catch (error) {
        showError(error, "Setting the version");
      }
      await refresh();
    });
  }

  function askTakeAway(target) {
    const old = state.data.rollouts.find((r) => r.target === target);
    if (!old) return;
    const rollouts = state.data.rollouts.filter((r) => r.target !== target);
    const now = effect(target, state.data.rollouts, state.data.groups).reach;
    const none = now.filter((k) => !resolve(k, rollouts, state.data.groups)).length;
    ask(`Take version ${old.version} away from ${words.targetName(target)}? It reaches `
      + `${plural(now.length, "kiosk", "kiosks")} that want it now: ${now.length - none} then take another `
      + `target's version, ${none} want nothing (they keep what they have installed).`,
    "Yes, take it away", async () => {
      try {
        await support.request("DELETE", `/api/admin/rollouts/${encodeURIComponent(target)}`);
        support.status(`Version ${old.version} taken away from ${words.targetName(target)}.`);
      } catch (error) {
        showError(error, "Taking the version away");
      }
      await refresh();
    });
  }

  function groupAfter(name, members) {
    return [...state.data.groups.filter((g) => g.name !== name), ...(members ? [{name, kiosks: members}] : [])];
  }

  function askSaveGroup(event) {
    event.preventDefault();
    clearErrors();
    const picked = $("group-pick").value;
    const name = picked === NEW_GROUP ? $("group-name").value.trim() : picked;
    if (!name) {
      $("group-name-error").textContent = "Give the new group a name (e.g. pilot).";
      $("group-name").setAttribute("aria-invalid", "true");
      $("group-name").focus();
      return;
    }
    const members = [...$("group-members").querySelectorAll("input:checked")].map((box) => box.value);
    const rollout = state.data.rollouts.find((r) => r.target === `group:${name}`);
    const {changed} = effect(`group:${name}`, state.data.rollouts, groupAfter(name, members));
    const reaching = rollout
      ? `Its version ${rollout.version} will then reach ${plural(members.length, "kiosk", "kiosks")}; `
        + `${plural(changed.length, "kiosk changes", "kiosks change")} what ${changed.length === 1 ? "it wants" : "they want"}.`
      : "No version is set for it, so no kiosk's wanted version changes yet.";
    ask(`Save pilot group ${name} with ${plural(members.length, "kiosk", "kiosks")}? ${reaching}`,
      "Yes, save the group", async () => {
        try {
          await support.request("PUT", `/api/admin/update-groups/${encodeURIComponent(name)}`, {kiosks: members});
          support.status(`Pilot group ${name} saved with ${plural(members.length, "kiosk", "kiosks")}.`);
          state.membersOf = null;
          await refresh();
          $("group-pick").value = name;
          showMembers();
          $("group-name").value = "";
        } catch (error) {
          showError(error, "Saving the group");
        }
      });
  }

  function askDeleteGroup() {
    const name = $("group-pick").value;
    const group = state.data.groups.find((g) => g.name === name);
    if (!group) return;
    const target = `group:${name}`;
    const rollout = state.data.rollouts.find((r) => r.target === target);
    const {changed} = effect(target, state.data.rollouts.filter((r) => r.target !== target), groupAfter(name, null));
    ask(`Delete pilot group ${name} (${plural(group.kiosks.length, "kiosk", "kiosks")})?`
      + (rollout ? ` Its version ${rollout.version} goes with it: ${plural(changed.length, "kiosk", "kiosks")} then `
        + "want another target's version or nothing." : " No version is set for it."),
    "Yes, delete the group", async () => {
      try {
        await support.request("DELETE", `/api/admin/update-groups/${encodeURIComponent(name)}`);
        support.status(`Pilot group ${name} deleted.`);
      } catch (error) {
        showError(error, "Deleting the group");
      }
      state.membersOf = null;
      await refresh();
    });
  }

  document.addEventListener("DOMContentLoaded", async () => {
    fillSelect($("filter-state"), [["", "all"], ...words.FILTERS]);
    const wanted = new URLSearchParams(window.location.search).get("state") || "";
    if (words.FILTERS.some(([value]) => value === wanted)) $("filter-state").value = wanted;
    support.sortableHeaders($("kiosks"), state.sort, render);
    $("filter-state").addEventListener("change", render);
    $("filter-text").addEventListener("input", render);
    $("filters").addEventListener("submit", (e) => e.preventDefault());
    try {
      state.admin = (await support.whoAmI()).role === "admin";
    } catch (error) {
      state.admin = false;
    }
    document.body.dataset.admin = String(state.admin);
    $("admin").hidden = !state.admin;
    for (const th of document.querySelectorAll("#rollouts .admin-only")) th.hidden = !state.admin;
    if (state.admin) {
      $("set-form").addEventListener("submit", askSet);
      $("group-form").addEventListener("submit", askSaveGroup);
      $("group-pick").addEventListener("change", showMembers);
      $("group-filter").addEventListener("input", findMembers);
      $("group-members").addEventListener("change", countTicked);
      $("group-delete").addEventListener("click", askDeleteGroup);
      $("rollouts").addEventListener("click", (event) => {
        const button = event.target.closest("button.take-away");
        if (button) askTakeAway(button.dataset.target);
      });
      $("confirm-yes").addEventListener("click", confirmed);
      $("confirm-no").addEventListener("click", closeConfirm);
      $("confirm").addEventListener("keydown", (e) => { if (e.key === "Escape") closeConfirm(); });
    }
    await refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
