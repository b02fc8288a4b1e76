// The advisor console: the call queue of the advisor's lines, ringing calls, and the call
// itself over the browser's own WebRTC. Protocol: docs/call-protocol.md (/ws/advisor). Text,
// papers and what the advisor sends in a call: advisor-help.js (docs/call-help.md). A third
// person in the call, an interpreter or another authority: docs/call-three-party.md. Today's
// appointments and the callbacks beside the queue: advisor-agenda.js (docs/appointments.md).
"use strict";

const LANGUAGES = {
  fi: "suomi / Finnish", sv: "ruotsi / Swedish", en: "englanti / English",
  // Interpreter lines' languages (BCP 47), as hub.toml's `interpreting` names them.
  fse: "suomalainen viittomakieli / Finnish Sign Language",
  fss: "suomenruotsalainen viittomakieli / Finland-Swedish Sign Language",
  ar: "arabia / Arabic", so: "somali / Somali", ru: "venäjä / Russian", uk: "ukraina / Ukrainian",
  fa: "persia / Persian", ku: "kurdi / Kurdish", et: "viro / Estonian",
};
const REASONS = {
  advisor_hung_up: "Lopetit puhelun / You ended the call",
  kiosk_hung_up: "Asiakas lopetti puhelun / The citizen ended the call",
  kiosk_gone: "Kioskin yhteys katkesi / The kiosk dropped",
  transferred: "Puhelu siirretty / Call transferred",
  timeout: "Et vastannut ajoissa / Not answered in time",
  declined: "Hylkäsit puhelun / You declined",
  away: "Asetit itsesi poissaolevaksi / You went away",
  cancelled: "Asiakas peruutti / The citizen cancelled",
  left: "Poistuit puhelusta / You left the call",
};
const INVITE_REASONS = {
  interpreter: "Tulkkaus / Interpreting",
  authority: "Toinen viranomainen / Another authority",
};

const $ = (id) => document.getElementById(id);

const state = {
  ws: null,
  iceServers: [],
  username: "",
  lines: [],
  lineNames: {},
  lineKinds: {},       // line → "service" or "interpreter"
  available: false,
  queues: {},          // line → {calls, advisors, receivedAt}
  ringing: null,       // the ringing message, plus deadline
  call: null,          // the connected message
  role: null,          // this console's role in the call: "host" or "guest"
  promoted: false,     // a guest who took the call over when the host left
  parties: {},         // role → {role, pc, audio, help}: one connection to each other party
  pc: null,            // the kiosk's connection (parties.kiosk.pc)
  guest: null,         // for the host: the `joined` of the guest in the call
  invite: null,        // for the host: {line, reason, id, ringing} while inviting
  local: null,         // MediaStream of own camera and microphone
  localPromise: null,  // that stream, while the browser opens the devices too
  muted: false,
  pendingIce: {},      // role → candidates that came before that party's offer or answer
  resumeSeconds: 30,   // how long the hub keeps a call whose socket was lost (the hello's)
  resuming: null,      // {call, timer, wasAvailable} while the socket is lost with a call kept
};
window.consoleState = state;

let nextId = 1;
function send(message) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
  message.id = nextId++;
  state.ws.send(JSON.stringify(message));
  return message.id;
}

function notice(text) {
  $("notice").textContent = text || "";
}

function show() {
  const mode = state.call ? "call" : state.ringing ? "ringing" : "idle";
  document.body.dataset.state = mode;
  $("ringing").hidden = mode !== "ringing";
  $("call").hidden = mode !== "call";
  $("set-available").setAttribute("aria-pressed", String(state.available));
  $("set-away").setAttribute("aria-pressed", String(!state.available));
}

function languageName(code) {
  return LANGUAGES[code] || code;
}

function lineName(line) {
  return state.lineNames[line] || line;
}

// A call made with a booking code (docs/appointments.md "Using a code").
function isBooked(m) {
  return Boolean(m.booked || m.booking);
}

function minutes(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// ---- the queue ---------------------------------------------------------------------------

function renderQueues() {
  const box = $("queues");
  box.replaceChildren();
  const now = performance.now();
  for (const line of Object.keys(state.queues).sort()) {
    const q = state.queues[line];
    const section = document.createElement("div");
    section.className = "queue";
    const title = document.createElement("h3");
    const onDuty = q.advisors.filter((a) => a.status !== "away").length;
    title.textContent = `${lineName(line)} — ${q.calls.length} jonossa / waiting · ` +
      `${onDuty} neuvojaa paikalla / advisors on duty`;
    section.append(title);
    if (q.calls.length === 0) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = "Ei jonottajia / Nobody waiting";
      section.append(p);
    } else {
      const table = document.createElement("table");
      table.innerHTML = "<thead><tr><th>#</th><th>Missä / Where</th>" +
        "<th>Kieli / Language</th><th>Odottanut / Waiting</th><th></th></tr></thead>";
      const body = document.createElement("tbody");
      for (const c of q.calls) {
        const row = document.createElement("tr");
        row.dataset.channel = c.channel || "kiosk";
        if (isBooked(c)) row.className = "booked";
        const waited = c.waiting_s + (now - q.receivedAt) / 1000;
        const flags = [isBooked(c) ? "Ajanvaraus / Booked appointment" : "",
                       c.ringing ? "soi / ringing" : "", c.transferred ? "siirretty / transferred" : ""]
          .filter(Boolean).join(", ");
        for (const text of [c.position, Agenda.where(c), languageName(c.language),
                            minutes(waited), flags]) {
          const cell = document.createElement("td");
          cell.textContent = String(text);
          row.append(cell);
        }
        body.append(row);
      }
      table.append(body);
      section.append(table);
    }
    box.append(section);
  }
}

// ---- ringing -------------------------------------------------------------------------------

function renderRinging() {
  const r = state.ringing;
  if (!r) return;
  const home = r.channel === "home";
  $("ring-where").textContent = Agenda.where(r);
  $("ring-kiosk-row").hidden = home;
  $("ring-location-row").hidden = home;
  $("ring-kiosk").textContent = home ? "" : r.kiosk_name;
  $("ring-location").textContent = home ? "" : r.location;
  $("ring-booked").hidden = !isBooked(r);
  $("ring-language").textContent = languageName(r.language);
  $("ring-line").textContent = lineName(r.line);
  $("ring-waited").textContent = minutes((r.waiting_s || 0) + (performance.now() - r.receivedAt) / 1000);
  $("ring-transferred").hidden = !r.transferred;
  // An invitation to join a call already under way: from which line, why, which language.
  const invited = Boolean(r.invited);
  $("ringing").dataset.invited = String(invited);
  $("ring-incoming").hidden = invited;
  $("ring-invitation").hidden = !invited;
  $("ring-waited-row").hidden = invited;
  $("ring-from-row").hidden = !invited;
  $("ring-reason-row").hidden = !invited;
  $("ring-interpreting-row").hidden = !invited || !r.interpreting;
  $("ring-from-line").textContent = invited ? lineName(r.from_line) : "";
  $("ring-reason").textContent = invited ? (INVITE_REASONS[r.reason] || r.reason) : "";
  $("ring-interpreting").textContent = r.interpreting ? languageName(r.interpreting) : "";
  const left = Math.max(0, Math.ceil((r.deadline - performance.now()) / 1000));
  $("ring-countdown").textContent = String(left);
  $("ring-countdown-en").textContent = String(left);
}

// ---- the call -------------------------------------------------------------------------------

// One getUserMedia per call, however often it is asked for (on `connected`, on an offer, on
// `joined`): the same camera and microphone tracks go to every party of the call.
let cameraGeneration = 0;  // counts releases: a stream opened for an earlier call is dropped

function camera() {
  if (!state.localPromise) state.localPromise = openCamera(cameraGeneration);
  return state.localPromise;
}

async function openCamera(generation) {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
  } catch (e) {
    notice(`Kameraa tai mikrofonia ei saatu / No camera or microphone: ${e.name}`);
    stream = new MediaStream();
  }
  if (generation !== cameraGeneration) {  // the call ended while the devices opened
    stream.getTracks().forEach((t) => t.stop());
    return stream;
  }
  stream.getAudioTracks().forEach((t) => { t.enabled = !state.muted; });
  state.local = stream;
  $("local-video").srcObject = stream;
  return stream;
}

function releaseCamera() {
  if (state.local) state.local.getTracks().forEach((t) => t.stop());
  state.local = null;
  state.localPromise = null;
  cameraGeneration += 1;
  $("local-video").srcObject = null;
}

function setMuted(muted) {
  state.muted = muted;
  if (state.local) state.local.getAudioTracks().forEach((t) => { t.enabled = !muted; });
  $("mute").setAttribute("aria-pressed", String(muted));
}

// A call has up to three parties, named by their role in it (docs/call-three-party.md): the
// kiosk, the host (the advisor who answered) and a guest (an advisor invited to join). This
// console keeps one peer connection to each of the others, in `state.parties` by role.

function isCall(callId) {
  return state.call !== null && state.call.call === callId;
}

// Signalling to a party: the host and the kiosk talk as before a third party existed, without
// `to`; everything else says whom it is for.
function signal(role, message) {
  if (!state.call) return;
  message.call = state.call.call;
  if (!(role === "kiosk" && state.role === "host")) message.to = role;
  send(message);
}

function openParty(role) {
  closeParty(role);
  const pc = new RTCPeerConnection({iceServers: state.iceServers});
  const party = {role, pc, audio: null, help: false};
  state.parties[role] = party;
  if (role === "kiosk") state.pc = pc;
  pc.addEventListener("icecandidate", (e) => {
    if (state.parties[role] !== party) return;
    signal(role, {type: "ice", candidate: e.candidate ? e.candidate.toJSON() : null});
  });
  pc.addEventListener("track", (e) => {
    if (state.parties[role] === party) onTrack(party, e);
  });
  pc.addEventListener("connectionstatechange", () => {
    if (state.parties[role] === party) renderMediaState(party);
  });
  return party;
}

function closeParty(role) {
  const party = state.parties[role];
  if (!party) return;
  delete state.parties[role];
  party.pc.close();
  if (party.audio) party.audio.srcObject = null;
  if (role === "kiosk") {
    state.pc = null;
    $("remote-video").srcObject = null;
  } else {
    $("party-video").srcObject = null;
  }
}

function onTrack(party, e) {
  const track = e.track;
  if (track.kind === "audio") {
    // Chromium decodes incoming audio only once the track plays somewhere.
    const audio = new Audio();
    audio.srcObject = new MediaStream([track]);
    audio.play().catch(() => {});
    party.audio = audio;
    if (party.role === "kiosk") state.remoteAudio = audio;
  } else if (e.transceiver !== cameraTransceiver(party.pc, "video")) {
    // The kiosk's second video is its screen, silent until the citizen allows sharing; it
    // comes only on the host's connection, with the help channels.
    if (party.help) CallHelp.screenTrack(track);
  } else if (party.role === "kiosk") {
    $("remote-video").srcObject = new MediaStream([track]);
  } else {
    $("party-video").srcObject = new MediaStream([track]);
  }
}

const MEDIA_STATES = {
  connecting: "Yhdistetään… / Connecting…",
  connected: "",
  disconnected: "Yhteys pätkii… / Connection interrupted…",
  failed: "Videoyhteys epäonnistui / The video connection failed",
};

function renderMediaState(party) {
  const text = MEDIA_STATES[party.pc.connectionState];
  const box = $(party.role === "kiosk" ? "call-media-state" : "party-state");
  if (text !== undefined) box.textContent = text;
  box.hidden = party.pc.connectionState === "connected";
}

// The kiosk's camera (or microphone) is the first of its kind in the offer; a second video is
// the kiosk's screen (docs/call-help.md), which the advisor receives and never sends to.
function cameraTransceiver(pc, kind) {
  return pc.getTransceivers().find((t) => t.receiver.track.kind === kind) || null;
}

// An offer: the kiosk's (without `from` when this console is the host, as before) or, for a
// guest, the kiosk's and the host's. This console answers with its camera and microphone.
async function onOffer(message) {
  if (!isCall(message.call)) return;
  const role = message.from || "kiosk";
  const local = await camera();
  if (!isCall(message.call)) return;
  const party = openParty(role);
  const pc = party.pc;
  if (role === "kiosk" && helpHere()) {
    // The kiosk's offer to the host brings the text and help channels (advisor-help.js).
    CallHelp.attach(pc);
    party.help = true;
  }
  await pc.setRemoteDescription({type: "offer", sdp: message.sdp});
  for (const t of pc.getTransceivers()) {
    if (t !== cameraTransceiver(pc, t.receiver.track.kind)) continue;  // the kiosk's screen
    const track = local.getTracks().find((x) => x.kind === t.receiver.track.kind);
    if (track) {
      await t.sender.replaceTrack(track);
      t.direction = "sendrecv";
    }
  }
  await pc.setLocalDescription(await pc.createAnswer());
  if (state.parties[role] !== party) return;
  signal(role, {type: "answer", sdp: pc.localDescription.sdp});
  await flushIce(party);
}

// The host offers to a guest who joined: camera and microphone both ways.
async function offerTo(role) {
  const callId = state.call.call;
  const local = await camera();
  if (!isCall(callId)) return;
  const party = openParty(role);
  const pc = party.pc;
  for (const kind of ["audio", "video"]) {
    const track = local.getTracks().find((t) => t.kind === kind);
    if (track) pc.addTransceiver(track, {direction: "sendrecv", streams: [local]});
    else pc.addTransceiver(kind, {direction: "recvonly"});
  }
  await pc.setLocalDescription(await pc.createOffer());
  if (state.parties[role] !== party) return;
  signal(role, {type: "offer", sdp: pc.localDescription.sdp});
}

async function onAnswer(message) {
  if (!isCall(message.call)) return;
  const party = state.parties[message.from || "kiosk"];
  if (!party || party.pc.signalingState !== "have-local-offer") return;
  await party.pc.setRemoteDescription({type: "answer", sdp: message.sdp});
  await flushIce(party);
}

async function onIce(message) {
  if (!isCall(message.call)) return;
  const role = message.from || "kiosk";
  const candidate = message.candidate || null;
  const party = state.parties[role];
  if (!party || !party.pc.remoteDescription) {
    (state.pendingIce[role] = state.pendingIce[role] || []).push(candidate);
    return;
  }
  await party.pc.addIceCandidate(candidate).catch((e) => console.warn("ice", e));
}

async function flushIce(party) {
  const pending = state.pendingIce[party.role] || [];
  delete state.pendingIce[party.role];
  for (const c of pending) await party.pc.addIceCandidate(c).catch(() => {});
}

function endCall(text) {
  for (const role of Object.keys(state.parties)) closeParty(role);
  state.pc = null;
  state.call = null;
  state.role = null;
  state.promoted = false;
  state.guest = null;
  state.invite = null;
  state.pendingIce = {};
  CallHelp.reset();
  setMuted(false);
  $("remote-video").srcObject = null;
  if (state.remoteAudio) state.remoteAudio.srcObject = null;
  releaseCamera();
  inviteStatus("");
  if (text) notice(text);
  show();
}

// ---- a third party ---------------------------------------------------------------------------

// Text, papers and the kiosk's screen travel on the kiosk's connection to the advisor who
// answered; a guest, and a guest who took the call over, have none of them.
function helpHere() {
  return state.role === "host" && !state.promoted;
}

// The line the citizen called (or was transferred to): a guest's own line is the one it was
// invited from.
function callLine() {
  const c = state.call;
  return c.role === "guest" ? c.from_line : c.line;
}

function allLines() {
  return [...new Set([...state.lines, ...Object.keys(state.lineNames)])];
}

function isInterpreterLine(line) {
  return state.lineKinds[line] === "interpreter";
}

// Who the third party is, as this console sees them: the guest the host invited, or for a
// guest, the advisor who invited them.
function otherParty() {
  if (!state.call) return null;
  if (state.role === "guest") {
    return {role: "host", caption: `Neuvoja / Advisor: ${lineName(state.call.from_line)}`};
  }
  const g = state.guest;
  if (!g) return null;
  return {role: "guest", caption: guestCaption(g.line, g.reason, g.interpreting)};
}

function guestCaption(line, reason, interpreting) {
  if (reason === "interpreter" || interpreting) {
    const language = interpreting ? ` · ${languageName(interpreting)}` : "";
    return `Tulkki / Interpreter: ${lineName(line)}${language}`;
  }
  return `Toinen viranomainen / Another authority: ${lineName(line)}`;
}

function renderParty() {
  const other = otherParty();
  $("party").hidden = other === null;
  $("call").dataset.party = other ? other.role : "";
  $("party-caption").textContent = other ? other.caption : "";
  const party = other && state.parties[other.role];
  if (party) {
    renderMediaState(party);
  } else {
    $("party-state").hidden = false;
    $("party-state").textContent = MEDIA_STATES.connecting;
  }
}

function renderInviteChoices() {
  const select = $("invite-line");
  const chosen = select.value;
  select.replaceChildren();
  if (!state.call) return;
  const own = callLine();
  const others = allLines().filter((l) => l !== own);
  const groups = [
    ["Tulkit / Interpreters", others.filter(isInterpreterLine)],
    ["Muut linjat / Other lines", others.filter((l) => !isInterpreterLine(l))],
  ];
  for (const [label, lines] of groups) {
    if (lines.length === 0) continue;
    const group = document.createElement("optgroup");
    group.label = label;
    for (const line of lines) {
      const option = document.createElement("option");
      option.value = line;
      option.textContent = isInterpreterLine(line)
        ? `Tulkki / Interpreter: ${lineName(line)}` : lineName(line);
      group.append(option);
    }
    select.append(group);
  }
  if (chosen && others.includes(chosen)) select.value = chosen;
}

function inviteStatus(text) {
  $("invite-status").textContent = text || "";
}

// Invite, Transfer and End call as the call stands: a host may invite one guest at a time, and
// cannot transfer while a guest is in or on the way; a guest leaves, and the host leaving a
// guest in the call leaves it to them.
function renderControls() {
  if (!state.call) return;
  const host = state.role === "host";
  const busy = state.guest !== null || state.invite !== null;
  const select = $("invite-line");
  select.disabled = !host || busy;
  $("invite-button").disabled = !host || busy || !select.value;
  $("invite-cancel").hidden = state.invite === null;
  $("invite-cancel").disabled = state.invite === null || !state.invite.ringing;
  $("transfer-line").disabled = !host || busy;
  $("transfer").disabled = !host || busy || $("transfer-line").options.length === 0;
  $("hang-up").hidden = !host;
  $("leave").hidden = host;
  $("hang-up-end").hidden = state.guest !== null;
  $("hang-up-leave").hidden = state.guest === null;
  $("call").dataset.role = state.role;
  $("call").dataset.channels = helpHere() ? "here" : "elsewhere";
  $("call").dataset.invite = state.invite ? (state.invite.ringing ? "ringing" : "asking") : "";
}

function invite() {
  const line = $("invite-line").value;
  if (!state.call || !line || state.role !== "host" || state.guest || state.invite) return;
  const reason = isInterpreterLine(line) ? "interpreter" : "authority";
  const id = send({type: "invite", call: state.call.call, line, reason});
  if (id === undefined) return;
  state.invite = {line, reason, id, ringing: false};
  inviteStatus(`${lineName(line)}: Kutsutaan… / Inviting…`);
  renderControls();
}

function cancelInvite() {
  if (state.call && state.invite) send({type: "cancel_invite", call: state.call.call});
}

const INVITE_FAILED = {
  no_answer: "Ei vastattu / No answer",
  no_advisor: "Ei vapaita / Nobody available",
  cancelled: "Peruttu / Cancelled",
};

function renderCall() {
  const c = state.call;
  const home = c.channel === "home";
  $("call").dataset.channel = home ? "home" : "kiosk";
  $("call-kiosk").textContent = home ? "Kotoa / From home" : c.kiosk_name;
  $("call-location").textContent = home ? "" : c.location;
  $("call-location-part").hidden = home;
  $("call-booked").hidden = !isBooked(c);
  $("call-language").textContent = languageName(c.language);
  $("call-line").textContent = lineName(callLine());
  $("call-guest-of").hidden = state.role !== "guest";
  $("call-media-state").hidden = false;
  $("call-media-state").textContent = "Odotetaan kioskin videota… / Waiting for the kiosk's video…";
  const select = $("transfer-line");
  select.replaceChildren();
  for (const line of state.lines.filter((l) => l !== callLine() && !isInterpreterLine(l))) {
    const option = document.createElement("option");
    option.value = line;
    option.textContent = lineName(line);
    select.append(option);
  }
  renderInviteChoices();
  renderParty();
  renderControls();
}

// For tests and the curious: what the browser says about the call's media. The top-level
// fields are the kiosk's connection; `parties` has each open connection by role.
async function partyStats(party) {
  const out = {state: party.pc.connectionState, videoFramesDecoded: 0, audioPacketsReceived: 0,
               videoFramesSent: 0};
  const camera = cameraTransceiver(party.pc, "video");
  (await party.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video" && (!camera || s.mid === camera.mid)) {
      out.videoFramesDecoded = s.framesDecoded || 0;
    }
    if (s.type === "inbound-rtp" && s.kind === "audio") out.audioPacketsReceived = s.packetsReceived || 0;
    if (s.type === "outbound-rtp" && s.kind === "video") out.videoFramesSent = s.framesSent || 0;
  });
  return out;
}

window.callStats = async function () {
  const out = {videoFramesDecoded: 0, audioPacketsReceived: 0, screenFramesDecoded: 0,
               screenWidth: 0, screenHeight: 0, state: null, parties: {}};
  for (const [role, party] of Object.entries(state.parties)) out.parties[role] = await partyStats(party);
  if (!state.pc) return out;
  out.state = state.pc.connectionState;
  const camera = cameraTransceiver(state.pc, "video");
  (await state.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video" && camera && s.mid !== camera.mid) {
      out.screenFramesDecoded = s.framesDecoded || 0;
      out.screenWidth = s.frameWidth || 0;
      out.screenHeight = s.frameHeight || 0;
    } else if (s.type === "inbound-rtp" && s.kind === "video") {
      out.videoFramesDecoded = s.framesDecoded || 0;
    }
    if (s.type === "inbound-rtp" && s.kind === "audio") out.audioPacketsReceived = s.packetsReceived || 0;
  });
  return out;
};

// ---- the socket ----------------------------------------------------------------------------

const handlers = {
  hello(m) {
    state.iceServers = m.ice_servers || [];
    state.username = m.username;
    state.lines = m.lines || [];
    state.lineNames = m.line_names || {};
    state.lineKinds = m.line_kinds || {};
    state.available = false;
    if (m.resume_seconds > 0) state.resumeSeconds = m.resume_seconds;
    $("username").textContent = m.username;
    watchHub(m.ping_seconds);
    if (state.resuming) send({type: "resume", call: state.resuming.call});
  },
  resumed(m) {
    if (!state.resuming || state.resuming.call !== m.call) return;
    const wasAvailable = state.resuming.wasAvailable;
    resumedNow();
    notice((m.away || []).includes("kiosk") ? PEER_AWAY.kiosk : "");
    // Available before the connection was lost: still so once this call ends.
    if (wasAvailable) setAvailable(true);
    show();
  },
  peer_away(m) {
    if (isCall(m.call)) notice(PEER_AWAY[m.role] || PEER_AWAY.kiosk);
  },
  peer_back(m) {
    if (isCall(m.call)) notice("");
  },
  queue(m) {
    state.queues[m.line] = {calls: m.calls, advisors: m.advisors, receivedAt: performance.now()};
    const me = m.advisors.find((a) => a.username === state.username);
    if (me && !state.call) state.available = me.status !== "away";
    renderQueues();
    show();
  },
  ringing(m) {
    const now = performance.now();
    state.ringing = {...m, receivedAt: now, deadline: now + m.ring_seconds * 1000};
    notice("");
    renderRinging();
    show();
  },
  ring_ended(m) {
    if (state.ringing && state.ringing.call === m.call) {
      const withdrawn = state.ringing.invited && m.reason === "cancelled";
      state.ringing = null;
      notice(withdrawn ? "Kutsu peruttiin / The invitation was withdrawn" : REASONS[m.reason] || m.reason);
      show();
    }
  },
  connected(m) {
    // Minted for this call: the hello's TURN credentials may be hours old by now.
    if (m.ice_servers) state.iceServers = m.ice_servers;
    state.ringing = null;
    state.call = m;
    state.role = m.role === "guest" ? "guest" : "host";
    state.promoted = false;
    state.guest = null;
    state.invite = null;
    inviteStatus("");
    notice("");
    renderCall();
    show();
    camera();  // ready by the time the kiosk's offer arrives, most often
  },
  ended(m) {
    if (state.resuming && state.resuming.call === m.call) resumedNow();
    if (state.call && state.call.call === m.call) {
      const to = m.reason === "transferred" ? ` → ${lineName(m.line)}` : "";
      endCall((REASONS[m.reason] || m.reason) + to);
    }
  },
  invite_ringing(m) {
    if (!isCall(m.call) || !state.invite) return;
    state.invite.ringing = true;
    inviteStatus(`${lineName(m.line)}: Soitetaan… / Ringing…`);
    renderControls();
  },
  invite_failed(m) {
    if (!isCall(m.call)) return;
    state.invite = null;
    inviteStatus(`${lineName(m.line)}: ${INVITE_FAILED[m.reason] || m.reason}`);
    renderControls();
  },
  joined(m) {
    if (!isCall(m.call) || m.party !== "guest") return;
    state.invite = null;
    state.guest = m;
    inviteStatus(`${guestCaption(m.line, m.reason, m.interpreting)} – liittyi / joined`);
    renderParty();
    renderControls();
    offerTo("guest").catch((e) => notice(`WebRTC: ${e}`));
  },
  left(m) {
    if (!isCall(m.call)) return;
    const other = otherParty();
    closeParty(m.party);
    delete state.pendingIce[m.party];
    if (m.party === "guest") state.guest = null;
    if (other && other.role === m.party) inviteStatus(`${other.caption} – poistui / left`);
    renderParty();
    renderControls();
  },
  promoted(m) {
    // The advisor who invited this one left: the call is this console's now, with the kiosk.
    if (!isCall(m.call)) return;
    closeParty("host");
    delete state.pendingIce.host;
    state.role = "host";
    state.promoted = true;
    notice("Kutsuja poistui, puhelu on nyt sinun / The advisor who invited you left: the call is yours now");
    renderCall();
  },
  appointment_arrived(m) { Agenda.arrived(m); },
  offer(m) { onOffer(m).catch((e) => notice(`WebRTC: ${e}`)); },
  ice(m) { onIce(m); },
  answer(m) { onAnswer(m).catch((e) => notice(`WebRTC: ${e}`)); },
  pong() {},
  error(m) {
    if (state.invite && m.id === state.invite.id) {
      // The invitation was refused (the line closed, nobody available, ...): nothing changed.
      state.invite = null;
      inviteStatus(`Kutsu ei onnistunut / Could not invite: ${m.message}`);
      renderControls();
      return;
    }
    notice(`Virhe / Error: ${m.message}`);
  },
};

// The hub pings this socket, but a page cannot see those pings: a hub that froze, or a network
// that went quiet without closing the connection, would leave the console saying "Connected"
// while no call can reach it. So the console sends a `ping` of its own every `ping_seconds` (from
// the hello) and, when nothing at all has come from the hub for 2.5 of them, drops the socket and
// connects again, saying so.
let lastHeard = 0;
let watcher = null;

function watchHub(pingSeconds) {
  clearInterval(watcher);
  const every = (pingSeconds || 20) * 1000;
  const ws = state.ws;
  watcher = setInterval(() => {
    if (state.ws !== ws) return clearInterval(watcher);
    if (performance.now() - lastHeard > 2.5 * every) {
      console.warn("the hub has not answered: connecting again");
      lost(ws);
      ws.close();
    } else {
      send({type: "ping"});
    }
  }, every);
}

// The hub's close code for a socket whose login ended (logged out elsewhere, account disabled,
// session expired): connecting again cannot work, logging in again can.
const LOGIN_ENDED = 4401;
// The hub's close code for a socket replaced by a newer one of the same advisor (another tab).
const REPLACED = 1008;
const PEER_AWAY = {
  kiosk: "Asiakkaan yhteyttä palautetaan… / The citizen's connection is being restored…",
  host: "Neuvojan yhteyttä palautetaan… / The advisor's connection is being restored…",
  guest: "Kutsutun yhteyttä palautetaan… / The guest's connection is being restored…",
};

// A call under way when the socket is lost (not closed for good) is kept: the hub keeps it
// for `resume_seconds`, the media goes on peer to peer, and the console connects again at once
// and sends `resume`. When the grace passes first, the call ends here as it has on the hub.
function keepCall() {
  const call = state.call.call;
  const timer = setTimeout(() => {
    if (!state.resuming || state.resuming.call !== call) return;
    state.resuming = null;
    if (state.call && state.call.call === call) {
      endCall("Yhteys hubiin katkesi / Lost the connection to the hub");
    }
  }, state.resumeSeconds * 1000);
  state.resuming = {call, timer, wasAvailable: state.available};
  notice("Yhteyttä hubiin palautetaan, puhelu jatkuu… / Restoring the connection to the hub, the call goes on…");
}

function resumedNow() {
  if (state.resuming) clearTimeout(state.resuming.timer);
  state.resuming = null;
}

// The socket `ws` is gone (closed, or silent): the console says so and connects again, or,
// when the login itself has ended, goes to the login page.
function lost(ws, code) {
  if (state.ws !== ws) return;
  state.ws = null;
  clearInterval(watcher);
  const ended = code === LOGIN_ENDED;
  document.body.dataset.socket = ended ? "logged-out" : "closed";
  $("socket-status").textContent = ended
    ? "Kirjautuminen päättyi, kirjaudu uudelleen… / Your login has ended, log in again…"
    : "Yhteys katkesi, yhdistetään uudelleen… / Disconnected, reconnecting…";
  $("socket-status").className = "pill bad";
  state.ringing = null;
  const keep = state.call && !ended && code !== REPLACED;
  if (keep && !state.resuming) keepCall();
  else if (!keep && state.call) {
    resumedNow();
    endCall("Yhteys hubiin katkesi / Lost the connection to the hub");
  }
  state.available = false;
  show();
  if (ended) setTimeout(() => location.assign("/login"), 1500);
  else setTimeout(connect, state.resuming ? 500 : 3000);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws/advisor`);
  state.ws = ws;
  ws.addEventListener("open", () => {
    lastHeard = performance.now();
    document.body.dataset.socket = "open";
    $("socket-status").textContent = "Yhdistetty / Connected";
    $("socket-status").className = "pill ok";
  });
  ws.addEventListener("message", (e) => {
    if (state.ws !== ws) return;  // a socket already given up on
    lastHeard = performance.now();
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    const handle = handlers[m.type];
    if (handle) handle(m);
  });
  ws.addEventListener("close", (e) => lost(ws, e.code));
}

function setAvailable(available) {
  send({type: "available", available});
}

document.addEventListener("DOMContentLoaded", () => {
  $("set-available").addEventListener("click", () => setAvailable(true));
  $("set-away").addEventListener("click", () => setAvailable(false));
  $("accept").addEventListener("click", () => {
    if (state.ringing) send({type: "accept", call: state.ringing.call});
  });
  $("decline").addEventListener("click", () => {
    if (state.ringing) send({type: "decline", call: state.ringing.call});
    state.ringing = null;
    show();
  });
  $("hang-up").addEventListener("click", () => {
    if (state.call) send({type: "hang_up", call: state.call.call});
  });
  $("leave").addEventListener("click", () => {
    if (state.call) send({type: "leave", call: state.call.call});
  });
  $("invite-button").addEventListener("click", invite);
  $("invite-cancel").addEventListener("click", cancelInvite);
  $("invite-line").addEventListener("change", renderControls);
  $("transfer").addEventListener("click", () => {
    const line = $("transfer-line").value;
    if (state.call && line) send({type: "transfer", call: state.call.call, line});
  });
  $("mute").addEventListener("click", () => setMuted(!state.muted));
  fetch("/api/me").then((r) => r.json()).then((me) => {
    $("csrf-token").value = me.csrf_token;
    return Agenda.start({
      csrf: () => $("csrf-token").value,
      username: () => state.username || me.username,
      lineName,
    });
  }).catch((e) => console.warn("agenda", e));
  setInterval(() => { renderQueues(); renderRinging(); }, 1000);
  show();
  connect();
});
