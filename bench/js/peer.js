// One side of a bench video call in Chromium (bench/video.py): sends a canvas that carries the
// page's wall clock as a clock code, and reads the code from every frame it receives.
// The code's layout is bench/video_clock.py's; keep the two in step.
"use strict";

const COLUMNS = 40;
const BITS = 32;
const HEAD = [1, 0, 1, 0];
const TAIL = [0, 1, 0, 1];
const UNITS_PER_MS = 10;  // the code counts 0.1 ms
const WRAP = 2 ** 32;
const MIN_CONTRAST = 60;

// The system's wall clock with performance.now()'s resolution: Date.now() has whole
// milliseconds only, so find the instant it ticks and count from there.
const wallBase = (() => {
  const start = Date.now();
  let tick;
  while ((tick = Date.now()) === start) { /* spin up to 1 ms */ }
  return tick - performance.now();
})();
const toWall = (perfTime) => wallBase + perfTime;
window.wallNow = () => toWall(performance.now());

const codeAt = (wallMs) => Math.floor(wallMs * UNITS_PER_MS) % WRAP;

// Milliseconds from a drawn code to a wall time, signed (a code from the future is negative).
function ageMs(code, wallMs) {
  const diff = ((codeAt(wallMs) - code) % WRAP + WRAP) % WRAP;
  return (diff >= WRAP / 2 ? diff - WRAP : diff) / UNITS_PER_MS;
}

function drawCode(ctx, code, size) {
  const row = [...HEAD];
  for (let i = 0; i < BITS; i++) row.push((code >>> (BITS - 1 - i)) & 1);
  row.push(...TAIL);
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < COLUMNS; c++) {
      const white = r === 0 ? row[c] : 1 - row[c];
      ctx.fillStyle = white ? "#fff" : "#000";
      ctx.fillRect(c * size, r * size, size, size);
    }
  }
}

// The code in an RGBA strip `width` wide from the top of a frame, or null.
function readCode(data, width, height) {
  const size = width / COLUMNS;
  if (2 * size > height || size < 4) return null;
  const spread = Math.max(1, Math.floor(size / 4));
  const lum = [[], []];
  for (let r = 0; r < 2; r++) {
    const cy = Math.floor((r + 0.5) * size);
    for (let c = 0; c < COLUMNS; c++) {
      const cx = Math.floor((c + 0.5) * size);
      let sum = 0;
      for (const dy of [-spread, 0, spread]) {
        for (const dx of [-spread, 0, spread]) {
          const i = ((cy + dy) * width + (cx + dx)) * 4;
          sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
        }
      }
      lum[r].push(sum / 9);
    }
  }
  const guards = [0, 1, 2, 3, COLUMNS - 4, COLUMNS - 3, COLUMNS - 2, COLUMNS - 1];
  const expected = [...HEAD, ...TAIL];
  let white = 0, black = 0;
  guards.forEach((c, i) => { if (expected[i]) white += lum[0][c]; else black += lum[0][c]; });
  white /= 4;
  black /= 4;
  if (white - black < MIN_CONTRAST) return null;
  const mid = (white + black) / 2;
  const bit = (r, c) => (lum[r][c] > mid ? 1 : 0);
  for (let c = 0; c < COLUMNS; c++) if (bit(0, c) === bit(1, c)) return null;
  for (let i = 0; i < guards.length; i++) if (bit(0, guards[i]) !== expected[i]) return null;
  let value = 0;
  for (let c = HEAD.length; c < HEAD.length + BITS; c++) value = value * 2 + bit(0, c);
  return value;
}

// ---- sending ----------------------------------------------------------------------------------

window.local = null;

// A canvas at `width`×`height`, 30 fps: the bench scene, a bar crossing it every two seconds
// and the clock code, drawn on a timer and handed to the track at once with requestFrame()
// (captureStream(0)), so each frame carries the clock of the moment it was captured.
window.startSender = async function (width, height, fps) {
  const scene = new Image();
  scene.src = `/scene.png?w=${width}&h=${height}`;
  await scene.decode();
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0];
  const size = Math.floor(width / COLUMNS);
  const barWidth = Math.max(4, Math.floor(width / 40));
  const period = 1000 / fps;
  const start = performance.now();
  let slot = 0;
  function draw() {
    const wall = window.wallNow();
    ctx.drawImage(scene, 0, 0);
    ctx.fillStyle = "rgb(255,140,0)";
    const x = Math.floor(((wall / 1000) % 2) / 2 * (width - barWidth));
    ctx.fillRect(x, 2 * size, barWidth, height - 2 * size);
    drawCode(ctx, codeAt(wall), size);
    track.requestFrame();
    // Timers fire up to a millisecond early (whole-ms delays), so count slots rather than
    // derive them from the clock; behind by more than a frame (a busy machine), skip the
    // missed slots, never burst.
    const now = performance.now();
    slot += 1;
    if (now > start + (slot + 1) * period) slot = Math.floor((now - start) / period);
    setTimeout(draw, Math.max(0, start + slot * period - now));
  }
  draw();
  const mic = await navigator.mediaDevices.getUserMedia({audio: true});
  window.local = new MediaStream([track, ...mic.getAudioTracks()]);
  return true;
};

// ---- receiving --------------------------------------------------------------------------------

const rx = {firstAt: null, latencies: [], toPacket: [], unread: 0};

// Each frame the <video> presents: its presentation time (when it was handed to the
// compositor) on the wall clock, and the code drawn into it; also when its last packet came.
function readFrames(video) {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const onFrame = (_now, meta) => {
    const at = toWall(meta.presentationTime);
    if (rx.firstAt === null) rx.firstAt = at;
    const width = meta.width;
    const strip = Math.min(meta.height, Math.ceil(2 * width / COLUMNS) + 1);
    if (canvas.width !== width || canvas.height !== strip) {
      canvas.width = width;
      canvas.height = strip;
    }
    ctx.drawImage(video, 0, 0, width, strip, 0, 0, width, strip);
    const code = readCode(ctx.getImageData(0, 0, width, strip).data, width, strip);
    if (code === null) rx.unread++;
    else {
      rx.latencies.push(ageMs(code, at));
      // When the frame's last packet came in: the share of the latency before the receiver.
      if (meta.receiveTime !== undefined) rx.toPacket.push(ageMs(code, toWall(meta.receiveTime)));
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

window.takeLatencies = function () {
  const out = {latencies: rx.latencies, toPacket: rx.toPacket, unread: rx.unread};
  rx.latencies = [];
  rx.toPacket = [];
  rx.unread = 0;
  return out;
};
window.firstFrameAt = () => rx.firstAt;

// ---- the connection ---------------------------------------------------------------------------

window.call = null;

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => pc.addEventListener("icegatheringstatechange", () => {
    if (pc.iceGatheringState === "complete") resolve();
  }));
}

// The kiosk's camera and microphone are the first of their kind in its offer; a second video
// is its screen, silent unless shared, which the advisor never sends to.
function first(pc, kind) {
  return pc.getTransceivers().find((t) => t.receiver.track.kind === kind) || null;
}

function newConnection() {
  const pc = new RTCPeerConnection({iceServers: []});
  pc.addEventListener("track", (e) => {
    if (e.transceiver !== first(pc, e.track.kind)) {
      window.screenTrack = e.track;
    } else if (e.track.kind === "audio") {
      // Chromium decodes incoming audio only once the track plays somewhere.
      const audio = new Audio();
      audio.srcObject = new MediaStream([e.track]);
      audio.play().catch(() => {});
      window.remoteAudio = audio;
    } else {
      const video = document.getElementById("remote");
      video.srcObject = new MediaStream([e.track]);
      readFrames(video);
    }
  });
  window.call = pc;
  return pc;
}

// The offer of the "kiosk" side of a Chromium-to-Chromium call: video then audio, both
// sendrecv, as the kiosk offers; VP8 first, as aiortc offers it.
window.makeOffer = async function () {
  const pc = newConnection();
  for (const track of window.local.getTracks()) {
    const t = pc.addTransceiver(track, {direction: "sendrecv"});
    if (track.kind === "video") {
      const codecs = RTCRtpReceiver.getCapabilities("video").codecs;
      const rank = (c) => (c.mimeType === "video/VP8" ? 0 : 1);
      t.setCodecPreferences([...codecs].sort((a, b) => rank(a) - rank(b)));
    }
  }
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  return pc.localDescription.sdp;
};

window.answerOffer = async function (sdp) {
  const pc = newConnection();
  await pc.setRemoteDescription({type: "offer", sdp});
  for (const t of pc.getTransceivers()) {
    if (t !== first(pc, t.receiver.track.kind)) continue;
    const track = window.local.getTracks().find((x) => x.kind === t.receiver.track.kind);
    await t.sender.replaceTrack(track);
    t.direction = "sendrecv";
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  return pc.localDescription.sdp;
};

// Returns the wall time at which the answer was accepted.
window.acceptAnswer = async function (sdp) {
  const at = window.wallNow();
  await window.call.setRemoteDescription({type: "answer", sdp});
  return at;
};

window.callStats = async function () {
  const out = {
    state: null, framesDecoded: 0, width: 0, height: 0, codec: null, sent: null,
    jitterBufferDelay: 0, jitterBufferEmittedCount: 0, totalDecodeTime: 0,
  };
  if (!window.call) return out;
  out.state = window.call.connectionState;
  const report = await window.call.getStats();
  const camera = first(window.call, "video");
  report.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video" && camera && s.mid !== camera.mid) {
      out.screenFramesDecoded = s.framesDecoded || 0;
    } else if (s.type === "inbound-rtp" && s.kind === "video") {
      out.framesDecoded = s.framesDecoded || 0;
      out.width = s.frameWidth || 0;
      out.height = s.frameHeight || 0;
      out.codec = report.get(s.codecId)?.mimeType || null;
      out.jitterBufferDelay = s.jitterBufferDelay || 0;
      out.jitterBufferEmittedCount = s.jitterBufferEmittedCount || 0;
      out.totalDecodeTime = s.totalDecodeTime || 0;
    }
    if (s.type === "outbound-rtp" && s.kind === "video") {
      out.sent = {
        width: s.frameWidth || 0, height: s.frameHeight || 0, frames: s.framesSent || 0,
        limitation: s.qualityLimitationReason || null,
        codec: report.get(s.codecId)?.mimeType || null,
      };
    }
  });
  return out;
};

window.hangUp = function () {
  if (window.call) window.call.close();
  return true;
};
