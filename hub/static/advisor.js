// The advisor console: the call queue of the advisor's lines, ringing calls, and the call
// itself over the browser's own WebRTC. Protocol: docs/call-protocol.md (/ws/advisor). Text,
// papers and what the advisor sends in a call: advisor-help.js (docs/call-help.md).
"use strict";

const LANGUAGES = {fi: "suomi / Finnish", sv: "ruotsi / Swedish", en: "englanti / English"};
const REASONS = {
  advisor_hung_up: "Lopetit puhelun / You ended the call",
  kiosk_hung_up: "Asiakas lopetti puhelun / The citizen ended the call",
  kiosk_gone: "Kioskin yhteys katkesi / The kiosk dropped",
  transferred: "Puhelu siirretty / Call transferred",
  timeout: "Et vastannut ajoissa / Not answered in time",
  declined: "Hylkäsit puhelun / You declined",
  away: "Asetit itsesi poissaolevaksi / You went away",
  cancelled: "Asiakas peruutti / The citizen cancelled",
};

const $ = (id) => document.getElementById(id);

const state = {
  ws: null,
  iceServers: [],
  username: "",
  lines: [],
  lineNames: {},
  available: false,
  queues: {},          // line → {calls, advisors, receivedAt}
  ringing: null,       // the ringing message, plus deadline
  call: null,          // the connected message
  pc: null,
  local: null,         // MediaStream of own camera and microphone
  localPromise: null,  // that stream, while the browser opens the devices too
  muted: false,
  pendingIce: [],
};
window.consoleState = state;

let nextId = 1;
function send(message) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
  message.id = nextId++;
  state.ws.send(JSON.stringify(message));
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
      table.innerHTML = "<thead><tr><th>#</th><th>Kioski / Kiosk</th><th>Sijainti / Location</th>" +
        "<th>Kieli / Language</th><th>Odottanut / Waiting</th><th></th></tr></thead>";
      const body = document.createElement("tbody");
      for (const c of q.calls) {
        const row = document.createElement("tr");
        const waited = c.waiting_s + (now - q.receivedAt) / 1000;
        const flags = [c.ringing ? "soi / ringing" : "", c.transferred ? "siirretty / transferred" : ""]
          .filter(Boolean).join(", ");
        for (const text of [c.position, c.kiosk_name, c.location, languageName(c.language),
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
  $("ring-kiosk").textContent = r.kiosk_name;
  $("ring-location").textContent = r.location;
  $("ring-language").textContent = languageName(r.language);
  $("ring-line").textContent = lineName(r.line);
  $("ring-waited").textContent = minutes(r.waiting_s + (performance.now() - r.receivedAt) / 1000);
  $("ring-transferred").hidden = !r.transferred;
  const left = Math.max(0, Math.ceil((r.deadline - performance.now()) / 1000));
  $("ring-countdown").textContent = String(left);
  $("ring-countdown-en").textContent = String(left);
}

// ---- the call -------------------------------------------------------------------------------

// One getUserMedia per call, however often it is asked for (on `connected` and on the offer).
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

function newConnection(callId) {
  const pc = new RTCPeerConnection({iceServers: state.iceServers});
  CallHelp.attach(pc);  // the kiosk's offer brings the text and help channels (advisor-help.js)
  pc.addEventListener("icecandidate", (e) => {
    send({type: "ice", call: callId, candidate: e.candidate ? e.candidate.toJSON() : null});
  });
  pc.addEventListener("track", (e) => {
    if (e.track.kind === "video" && e.transceiver !== cameraTransceiver(pc, "video")) {
      // The kiosk's second video is its screen, silent until the citizen allows sharing.
      CallHelp.screenTrack(e.track);
    } else if (e.track.kind === "video") {
      $("remote-video").srcObject = new MediaStream([e.track]);
    } else {
      // Chromium decodes incoming audio only once the track plays somewhere.
      const audio = new Audio();
      audio.srcObject = new MediaStream([e.track]);
      audio.play().catch(() => {});
      state.remoteAudio = audio;
    }
  });
  pc.addEventListener("connectionstatechange", () => {
    const text = {
      connecting: "Yhdistetään… / Connecting…",
      connected: "",
      disconnected: "Yhteys pätkii… / Connection interrupted…",
      failed: "Videoyhteys epäonnistui / The video connection failed",
    }[pc.connectionState];
    if (text !== undefined) $("call-media-state").textContent = text;
    $("call-media-state").hidden = pc.connectionState === "connected";
  });
  return pc;
}

// The kiosk's camera (or microphone) is the first of its kind in the offer; a second video is
// the kiosk's screen (docs/call-help.md), which the advisor receives and never sends to.
function cameraTransceiver(pc, kind) {
  return pc.getTransceivers().find((t) => t.receiver.track.kind === kind) || null;
}

async function onOffer(message) {
  if (!state.call || message.call !== state.call.call) return;
  const local = await camera();
  if (state.pc) state.pc.close();
  const pc = newConnection(message.call);
  state.pc = pc;
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
  send({type: "answer", call: message.call, sdp: pc.localDescription.sdp});
  for (const c of state.pendingIce.splice(0)) await pc.addIceCandidate(c).catch(() => {});
}

async function onIce(message) {
  if (!state.call || message.call !== state.call.call) return;
  const candidate = message.candidate || null;
  if (!state.pc || !state.pc.remoteDescription) {
    state.pendingIce.push(candidate);
    return;
  }
  await state.pc.addIceCandidate(candidate).catch((e) => console.warn("ice", e));
}

function endCall(text) {
  if (state.pc) state.pc.close();
  state.pc = null;
  state.call = null;
  state.pendingIce = [];
  CallHelp.reset();
  setMuted(false);
  $("remote-video").srcObject = null;
  if (state.remoteAudio) state.remoteAudio.srcObject = null;
  releaseCamera();
  if (text) notice(text);
  show();
}

function renderCall() {
  const c = state.call;
  $("call-kiosk").textContent = c.kiosk_name;
  $("call-location").textContent = c.location;
  $("call-language").textContent = languageName(c.language);
  $("call-line").textContent = lineName(c.line);
  $("call-media-state").hidden = false;
  $("call-media-state").textContent = "Odotetaan kioskin videota… / Waiting for the kiosk's video…";
  const select = $("transfer-line");
  select.replaceChildren();
  for (const line of state.lines.filter((l) => l !== c.line)) {
    const option = document.createElement("option");
    option.value = line;
    option.textContent = lineName(line);
    select.append(option);
  }
  $("transfer").disabled = select.options.length === 0;
}

// For tests and the curious: what the browser says about the call's media.
window.callStats = async function () {
  const out = {videoFramesDecoded: 0, audioPacketsReceived: 0, screenFramesDecoded: 0,
               screenWidth: 0, screenHeight: 0, state: null};
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
    state.available = false;
    $("username").textContent = m.username;
    watchHub(m.ping_seconds);
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
      state.ringing = null;
      notice(REASONS[m.reason] || m.reason);
      show();
    }
  },
  connected(m) {
    // Minted for this call: the hello's TURN credentials may be hours old by now.
    if (m.ice_servers) state.iceServers = m.ice_servers;
    state.ringing = null;
    state.call = m;
    notice("");
    renderCall();
    show();
    camera();  // ready by the time the kiosk's offer arrives, most often
  },
  ended(m) {
    if (state.call && state.call.call === m.call) {
      const to = m.reason === "transferred" ? ` → ${lineName(m.line)}` : "";
      endCall((REASONS[m.reason] || m.reason) + to);
    }
  },
  offer(m) { onOffer(m).catch((e) => notice(`WebRTC: ${e}`)); },
  ice(m) { onIce(m); },
  answer() {},
  pong() {},
  error(m) { notice(`Virhe / Error: ${m.message}`); },
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

// The socket `ws` is gone (closed, or silent): the console says so and connects again.
function lost(ws) {
  if (state.ws !== ws) return;
  state.ws = null;
  clearInterval(watcher);
  document.body.dataset.socket = "closed";
  $("socket-status").textContent = "Yhteys katkesi, yhdistetään uudelleen… / Disconnected, reconnecting…";
  $("socket-status").className = "pill bad";
  state.ringing = null;
  if (state.call) endCall("Yhteys hubiin katkesi / Lost the connection to the hub");
  state.available = false;
  show();
  setTimeout(connect, 3000);
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
  ws.addEventListener("close", () => lost(ws));
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
  $("transfer").addEventListener("click", () => {
    const line = $("transfer-line").value;
    if (state.call && line) send({type: "transfer", call: state.call.call, line});
  });
  $("mute").addEventListener("click", () => setMuted(!state.muted));
  fetch("/api/me").then((r) => r.json()).then((me) => {
    $("csrf-token").value = me.csrf_token;
  }).catch(() => {});
  setInterval(() => { renderQueues(); renderRinging(); }, 1000);
  show();
  connect();
});
