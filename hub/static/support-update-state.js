// A kiosk's software update in words a support person understands, from the state its updater
// reported (docs/updates.md): "Updated 0.2.0 → 0.3.0", "Rolled back to 0.2.0: …". Shared by
// the Updates page, the fleet view and the kiosk page.
"use strict";

const supportUpdate = (() => {
  const {element} = support;

  // level: the badge's class (ok, warn, bad, wait, none); rank: problems sort first.
  const STATES = {
    "rolled-back": {word: "Rolled back", level: "bad", mark: "✕", rank: 0},
    failed: {word: "Failed", level: "bad", mark: "✕", rank: 1},
    installing: {word: "Installing", level: "warn", mark: "↻", rank: 2},
    checking: {word: "Starting", level: "warn", mark: "↻", rank: 3},
    "waiting-for-session": {word: "Waiting", level: "wait", mark: "…", rank: 4},
    pending: {word: "Waiting", level: "wait", mark: "…", rank: 5},
    updated: {word: "Updated", level: "ok", mark: "✓", rank: 6},
    "up-to-date": {word: "Up to date", level: "ok", mark: "✓", rank: 7},
  };
  const NEVER = {word: "No report", level: "none", mark: "?", rank: 8};

  // The states the Updates page filters by, in the order it lists them.
  const FILTERS = [
    ["problem", "Rolled back or failed"],
    ["rolled-back", "Rolled back"],
    ["failed", "Failed"],
    ["waiting", "Waiting (window or customer)"],
    ["busy", "Installing or starting"],
    ["updated", "Updated"],
    ["up-to-date", "Up to date"],
    ["never", "Never reported"],
  ];

  function look(state) {
    return STATES[state] || NEVER;
  }

  function matches(state, filter) {
    switch (filter) {
      case "": return true;
      case "problem": return state === "rolled-back" || state === "failed";
      case "waiting": return state === "pending" || state === "waiting-for-session";
      case "busy": return state === "installing" || state === "checking";
      case "never": return !STATES[state];
      default: return state === filter;
    }
  }

  const isProblem = (state) => state === "rolled-back" || state === "failed";

  // The maintenance window in a kiosk's detail ("window 02:00-05:00"), shown as 02:00–05:00.
  function windowIn(detail) {
    const found = /(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})/.exec(detail || "");
    return found ? `${found[1]}–${found[2]}` : "";
  }

  // One sentence for an update report {installed, previous, wanted, state, detail}.
  function sentence(update) {
    const u = update || {};
    const detail = (u.detail || "").trim();
    const wanted = u.wanted ? ` ${u.wanted}` : "";
    switch (u.state) {
      case "up-to-date":
        return u.installed ? `Up to date (${u.installed})` : "Up to date";
      case "pending": {
        const window = windowIn(detail);
        return `Waiting for the maintenance window${window ? ` ${window}` : ""} to install${wanted || " the new version"}`;
      }
      case "waiting-for-session":
        return "Waiting: a customer is using the kiosk (tried again after the session)";
      case "installing":
        return `Installing${wanted || " the new version"}`;
      case "checking":
        return `Installed${wanted}; waiting for it to start`;
      case "updated":
        return u.previous ? `Updated ${u.previous} → ${u.installed || u.wanted || "?"}`
          : `Updated to ${u.installed || u.wanted || "?"}`;
      case "rolled-back": {
        const back = u.previous || u.installed;
        const why = detail || "the new version did not start in time";
        return `${back ? `Rolled back to ${back}` : "Rolled back"}: ${why}`;
      }
      case "failed":
        return `Update${wanted ? ` to${wanted}` : ""} failed, nothing changed: ${detail || "no reason given"}`;
      default:
        return "The kiosk has not reported an update state";
    }
  }

  // The state as a badge: a mark and a word as well as a colour.
  function badge(state) {
    const found = look(state);
    return element("span", {className: `badge ${found.level} update-state`, dataset: {state: state || "none"}},
      element("span", {className: "mark", "aria-hidden": "true"}, found.mark), found.word);
  }

  // A target ("all", "library:pasila", "group:pilot") in words.
  function targetName(target) {
    if (!target) return "no target";
    if (target === "all") return "all kiosks";
    const [kind, name] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
    if (kind === "library") return `library ${name}`;
    if (kind === "group") return `pilot group ${name}`;
    return target;
  }

  return {STATES, FILTERS, look, matches, isProblem, sentence, badge, targetName};
})();
window.supportUpdate = supportUpdate;
