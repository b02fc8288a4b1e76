// Beside the queue in the advisor console: today's booked video appointments and the callbacks
// to make (docs/appointments.md). Both lists come from the hub's API, polled every 10 s and
// again after each action; a callback's phone number or e-mail is shown only once this advisor
// has claimed it (the hub opens it only then, and only for them) and lives only in this page.
//
// advisor.js calls Agenda.start() once the page has its CSRF token, Agenda.arrived(message) on
// the socket's `appointment_arrived`; window.agenda() tells tests what the panels hold.
"use strict";

const Agenda = (() => {
  const POLL_MS = 10000;
  const ZONE = "Europe/Helsinki";
  const LANGUAGES = {fi: "suomi / Finnish", sv: "ruotsi / Swedish", en: "englanti / English"};
  const STATUS = {
    booked: "Varattu / Booked",
    arrived: "Saapunut / Arrived",
    served: "Palveltu / Served",
    no_show: "Ei saapunut / No-show",
    cancelled: "Peruttu / Cancelled",
  };
  const ACTIONS = {
    claim: "Otettu hoitoon / Claimed",
    release: "Palautettu muille / Released",
    done: "Merkitty soitetuksi / Marked done",
    "no-answer": "Ei vastausta kirjattu / No answer noted",
  };
  const TIME = new Intl.DateTimeFormat("fi-FI", {timeZone: ZONE, hour: "2-digit", minute: "2-digit"});
  const DAY_TIME = new Intl.DateTimeFormat("fi-FI", {
    timeZone: ZONE, day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit",
  });

  const $ = (id) => document.getElementById(id);

  const state = {
    csrf: () => "",
    username: () => "",
    lineName: (line) => line,
    lineNames: {},       // line id → its name, from /api/lines (before the socket's hello)
    topics: {},          // topic id → "fi / en"
    timesOfDay: {},      // time-of-day id → "fi / en"
    appointments: [],
    callbacks: [],
    contacts: {},        // callback id → its contact, for the callbacks this advisor claimed
    arrivals: [],        // the `appointment_arrived` messages, newest last
    chimes: 0,
    polls: 0,
    busy: false,
  };

  function when(iso) {
    return TIME.format(new Date(iso));
  }

  function dayWhen(iso) {
    return DAY_TIME.format(new Date(iso));
  }

  function topicName(id) {
    return state.topics[id] || id || "";
  }

  function languageName(code) {
    return LANGUAGES[code] || code || "";
  }

  // "At kiosk: Itäkeskus 1, Itäkeskus library" or "From home" (docs/appointments.md).
  function where(m) {
    if (m.channel === "home") return "Kotoa / From home";
    const place = [m.kiosk_name, m.location].filter(Boolean).join(", ");
    return `Kioskilla / At kiosk: ${place}`;
  }

  function contactText(contact) {
    if (!contact) return "";
    if (contact.phone) return `Puhelin / Phone: ${contact.phone}`;
    if (contact.email) return `Sähköposti / E-mail: ${contact.email}`;
    return "";
  }

  function contactLink(contact) {
    const a = document.createElement("a");
    a.className = "contact";
    if (contact.phone) {
      a.classList.add("phone");  // a number is read whole: never broken over two lines
      a.href = `tel:${contact.phone}`;
      a.textContent = contact.phone;
    } else {
      a.href = `mailto:${contact.email}`;
      a.textContent = contact.email;
    }
    return a;
  }

  async function getJson(path) {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function post(path) {
    const response = await fetch(path, {method: "POST", headers: {"X-CSRF-Token": state.csrf()}});
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    return {status: response.status, ok: response.ok, data};
  }

  // ---- today's appointments ------------------------------------------------------------------

  async function loadAppointments() {
    try {
      const data = await getJson("/api/advisor/appointments");
      state.appointments = data.appointments || [];
      $("appointments-problem").textContent = "";
    } catch (e) {
      $("appointments-problem").textContent = `Ajanvarauksia ei saatu / Could not load appointments (${e.message})`;
    }
    renderAppointments();
  }

  function renderAppointments() {
    const rows = $("appointment-rows");
    rows.replaceChildren();
    const list = [...state.appointments].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    $("appointments").hidden = list.length === 0;
    $("appointments-empty").hidden = list.length !== 0;
    for (const a of list) {
      const row = document.createElement("tr");
      row.dataset.booking = a.booking;
      row.dataset.status = a.status;
      if (a.status === "arrived") row.className = "arrived";
      const cells = [
        `${when(a.starts_at)}–${when(a.ends_at)}`,
        state.lineName(a.line),
        topicName(a.topic),
        languageName(a.language),
        (STATUS[a.status] || a.status) + (a.status === "arrived" && a.channel === "home" ? " · Kotoa / From home" : ""),
      ];
      for (const text of cells) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      const contact = document.createElement("td");
      if (a.contact && (a.contact.phone || a.contact.email)) contact.append(contactLink(a.contact));
      else contact.textContent = "–";
      row.append(contact);
      rows.append(row);
    }
  }

  // ---- callbacks -----------------------------------------------------------------------------

  async function loadCallbacks() {
    try {
      const data = await getJson("/api/advisor/callbacks");
      state.callbacks = data.callbacks || [];
      $("callbacks-problem").textContent = "";
    } catch (e) {
      $("callbacks-problem").textContent = `Takaisinsoittoja ei saatu / Could not load callbacks (${e.message})`;
    }
    // A contact is kept only while this advisor holds the callback.
    const mine = new Set(state.callbacks.filter((c) => c.claimed_by === state.username()).map((c) => c.id));
    for (const id of Object.keys(state.contacts)) if (!mine.has(id)) delete state.contacts[id];
    renderCallbacks();
  }

  function ordered() {
    // Due now first, then the oldest first (the hub's own order).
    return [...state.callbacks].sort((a, b) => (Number(b.due) - Number(a.due)) || a.asked_at.localeCompare(b.asked_at));
  }

  function button(text, action, c, kind) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = kind || "";
    b.dataset.action = action;
    b.textContent = text;
    b.disabled = state.busy;
    b.addEventListener("click", () => act(c, action));
    return b;
  }

  function renderCallbacks() {
    const list = $("callbacks");
    list.replaceChildren();
    const items = ordered();
    $("callbacks-empty").hidden = items.length !== 0;
    const me = state.username();
    for (const c of items) {
      const item = document.createElement("li");
      item.className = "callback";
      item.dataset.callback = c.id;
      const held = c.status === "claimed" ? (c.claimed_by === me ? "mine" : "other") : "open";
      item.dataset.held = held;
      item.dataset.due = String(Boolean(c.due));

      const head = document.createElement("p");
      head.className = "callback-head";
      if (c.due) {
        const due = document.createElement("span");
        due.className = "badge due";
        due.textContent = "Soita nyt / Due now";
        head.append(due, " ");
      }
      const topic = document.createElement("strong");
      topic.textContent = topicName(c.topic);
      head.append(topic, ` · ${languageName(c.language)}`);

      const facts = document.createElement("p");
      facts.className = "callback-facts";
      const attempts = c.attempts ? ` · Yrityksiä / Attempts: ${c.attempts}` : "";
      const reference = document.createElement("span");
      reference.className = "reference";
      reference.textContent = c.id;
      facts.append(`${state.lineName(c.line)} · ${state.timesOfDay[c.time_of_day] || c.time_of_day} · ` +
        `Pyydetty / Asked: ${dayWhen(c.asked_at)} · `, reference, attempts);

      const holder = document.createElement("p");
      holder.className = "callback-holder";
      holder.textContent = held === "open" ? "Vapaa / Open"
        : held === "mine" ? "Hoidat tätä / You hold this" : `Hoitaa / Held by: ${c.claimed_by}`;
      item.append(head, facts, holder);

      const actions = document.createElement("div");
      actions.className = "callback-actions";
      if (held === "open") {
        actions.append(button("Ota hoitoon / Claim", "claim", c, "go"));
      } else if (held === "mine") {
        const contact = state.contacts[c.id];
        if (contact) {
          const p = document.createElement("p");
          p.className = "callback-contact";
          p.append(contact.phone ? "Puhelin / Phone: " : "Sähköposti / E-mail: ", contactLink(contact));
          item.append(p);
        } else {
          // Held since before this page was opened: claiming again shows the contact.
          actions.append(button("Näytä yhteystieto / Show contact", "claim", c));
        }
        actions.append(
          button("Soitettu / Done", "done", c, "go"),
          button("Ei vastausta / No answer", "no-answer", c),
          button("Palauta / Release", "release", c),
        );
      }
      if (actions.childElementCount) item.append(actions);
      list.append(item);
    }
  }

  async function act(c, action) {
    if (state.busy) return;
    state.busy = true;
    renderCallbacks();
    const result = await post(`/api/advisor/callbacks/${encodeURIComponent(c.id)}/${action}`);
    state.busy = false;
    if (result.ok) {
      if (action === "claim" && result.data && result.data.callback) {
        state.contacts[c.id] = result.data.callback.contact;
      } else if (action !== "claim") {
        delete state.contacts[c.id];
      }
      $("callbacks-said").textContent = `${c.id}: ${ACTIONS[action]}`;
    } else if (result.status === 409) {
      $("callbacks-said").textContent = `${c.id}: Toinen neuvoja hoitaa jo / Another advisor holds it`;
    } else {
      const why = result.data && result.data.error ? result.data.error : `HTTP ${result.status}`;
      $("callbacks-said").textContent = `${c.id}: ${why}`;
    }
    await loadCallbacks();
  }

  // ---- an appointment's citizen arrives ------------------------------------------------------

  // A browser lets a page sound only after the person touched it: the context is made (or
  // resumed) at the advisor's first click or key, so that an arrival later can be heard.
  let audio = null;

  function sound() {
    if (!audio) audio = new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  // A short two-note chime: enough to turn a head, too short to startle.
  function chime() {
    try {
      const context = sound();
      const start = context.currentTime;
      for (const [i, frequency] of [880, 1318.5].entries()) {
        const tone = context.createOscillator();
        const gain = context.createGain();
        const at = start + i * 0.18;
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
        tone.connect(gain).connect(context.destination);
        tone.start(at);
        tone.stop(at + 0.4);
      }
      state.chimes += 1;
    } catch (e) {
      console.warn("no sound", e);
    }
  }

  function arrived(m) {
    state.arrivals.push(m);
    const parts = [
      m.starts_at ? when(m.starts_at) : "",
      state.lineName(m.line),
      topicName(m.topic),
      languageName(m.language),
      where(m),
    ].filter(Boolean);
    $("arrival-text").textContent = parts.join(" · ");
    $("arrival-box").hidden = false;
    document.body.dataset.arrival = m.booking || "yes";
    chime();
    loadAppointments();
  }

  function dismiss() {
    $("arrival-box").hidden = true;
    delete document.body.dataset.arrival;
  }

  // ---- start ---------------------------------------------------------------------------------

  async function names() {
    try {
      const data = await getJson("/api/lines");
      for (const line of data.lines || []) state.lineNames[line.id] = line.name.fi || line.id;
      for (const t of data.callback_topics || []) state.topics[t.id] = `${t.name.fi} / ${t.name.en}`;
      for (const t of data.times_of_day || []) state.timesOfDay[t.id] = `${t.name.fi} / ${t.name.en}`;
    } catch {
      // The ids then stand for themselves.
    }
  }

  async function poll() {
    await Promise.all([loadAppointments(), loadCallbacks()]);
    state.polls += 1;
  }

  async function start(options) {
    state.csrf = options.csrf;
    state.username = options.username;
    state.lineName = (line) => {
      const named = options.lineName(line);
      return named !== line ? named : state.lineNames[line] || line;
    };
    $("arrival-dismiss").addEventListener("click", dismiss);
    for (const kind of ["pointerdown", "keydown"]) {
      document.addEventListener(kind, () => { try { sound(); } catch { /* no audio */ } },
                                {once: true, capture: true});
    }
    await names();
    await poll();
    setInterval(poll, POLL_MS);
  }

  window.agenda = () => ({
    appointments: state.appointments,
    callbacks: state.callbacks,
    arrivals: state.arrivals.length,
    chimes: state.chimes,
    polls: state.polls,
  });

  return {start, arrived, where, poll};
})();
