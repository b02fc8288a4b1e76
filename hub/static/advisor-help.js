// Help in a call, beside the video: real-time text both ways, the papers the citizen shows, and
// what the advisor sends to the kiosk. They travel on the call's own data channels, which the
// kiosk's offer brings (docs/call-help.md); nothing of it goes to the hub or is stored: it lives
// in this page's memory for the call and is dropped when the call ends.
//
// advisor.js hands each new peer connection to CallHelp.attach and calls CallHelp.reset when the
// call ends; window.callHelp() tells tests (and the curious) what the panel holds.
"use strict";

const CallHelp = (() => {
  const BACKSPACE = "\u0008";
  const LINE_SEPARATOR = "\u2028";
  const BOM = "\ufeff";
  // As the kiosk's reader (kiosk/video/rtt.py): a line that never ends is ended here, and only
  // so many ended lines are kept.
  const MAX_LINE = 2000;
  const MAX_LINES = 200;
  const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
  const MAX_FILE_BYTES = 20 * 1024 * 1024;
  const CHUNK_BYTES = 16384;
  // A large PDF is queued in the channel no faster than it leaves.
  const HIGH_WATER = 1024 * 1024;
  const LOW_WATER = 256 * 1024;
  const ZOOM_STEP = 1.25;
  const ZOOM_MIN = 0.1;
  const ZOOM_MAX = 4;

  const STATUS = {
    sending: "Lähetetään… / Sending…",
    sent: "Lähetetty / Sent",
    received: "Perillä / Arrived",
    opened: "Avattu / Opened",
    refused: "Ei vastaanotettu / Refused",
  };
  const REFUSALS = {
    unknown_service: "palvelua ei ole tässä kioskissa / no such e-service on this kiosk",
    unknown_form: "lomaketta ei ole tässä kioskissa / no such form on this kiosk",
    not_pdf: "ei PDF-tiedosto / not a PDF",
    too_large: "liian suuri / too large",
    no_session: "kioskilla ei ole asiointia kesken / the kiosk has no session to keep it",
    bad_message: "kioski ei ymmärtänyt viestiä / the kiosk could not read it",
  };

  const el = (id) => document.getElementById(id);

  let call = null;        // the current peer connection's channels and what came on them
  let catalogue = {eservices: [], forms: [], topics: []};

  function fresh(pc) {
    return {
      pc,
      help: null,
      rtt: null,
      remoteLines: [],
      remoteCurrent: [],  // code points: a backspace erases one character, not half of one
      ownLines: [],
      draft: "",          // what the advisor's field held when last sent
      papers: [],         // {number, width, height, size, sha256, url, figure}
      open: null,         // the paper in the viewer
      zoom: "fit",        // "fit", or the scale to the paper's own pixels
      incoming: null,     // the file whose bytes are coming
      sent: [],           // {id, kind, status, reason, what, li}
      nextId: 1,
      files: Promise.resolve(),  // one file at a time goes out
      screenMid: null,    // the kiosk's screen video, as its hello says
      share: "off",       // off, asked, on, refused, stopped
      shareBy: "",
    };
  }

  // ---- the channels --------------------------------------------------------------------------

  function attach(pc) {
    reset();
    const mine = fresh(pc);
    call = mine;
    pc.addEventListener("datachannel", (e) => {
      if (call !== mine) return;
      const channel = e.channel;
      if (channel.label === "help" && channel.protocol === "kiosk-help/1") {
        mine.help = channel;
        channel.binaryType = "arraybuffer";
        channel.bufferedAmountLowThreshold = LOW_WATER;
        channel.addEventListener("message", (m) => { if (call === mine) onHelp(m.data); });
      } else if (channel.label === "rtt" && channel.protocol === "t140") {
        mine.rtt = channel;
        channel.binaryType = "arraybuffer";
        channel.addEventListener("message", (m) => { if (call === mine) onRtt(m.data); });
      } else {
        return;
      }
      channel.addEventListener("open", () => { if (call === mine) renderReady(); });
      channel.addEventListener("close", () => { if (call === mine) renderReady(); });
      renderReady();
    });
  }

  function isOpen(channel) {
    return channel !== null && channel.readyState === "open";
  }

  function ready() {
    return call !== null && isOpen(call.help) && isOpen(call.rtt);
  }

  // The call is over (or a new connection replaces it): everything of it goes.
  function reset() {
    const old = call;
    call = null;
    if (old) {
      for (const paper of old.papers) URL.revokeObjectURL(paper.url);
      for (const channel of [old.help, old.rtt]) if (channel) channel.close();
    }
    el("rtt-remote-lines").replaceChildren();
    el("rtt-remote-current").textContent = "";
    el("rtt-own-lines").replaceChildren();
    el("rtt-input").value = "";
    el("papers").replaceChildren();
    el("papers-empty").hidden = false;
    el("paper-viewer").hidden = true;
    el("paper-view-image").removeAttribute("src");
    el("sent").replaceChildren();
    el("send-pdf").value = "";
    problem("");
    el("screen-video").srcObject = null;
    renderReady();
  }

  function renderReady() {
    const rttOpen = call !== null && isOpen(call.rtt);
    const helpOpen = call !== null && isOpen(call.help);
    el("rtt-input").disabled = !rttOpen;
    el("rtt-send").disabled = !rttOpen;
    el("send-eservice-button").disabled = !helpOpen || !el("send-eservice").value;
    el("send-form-button").disabled = !helpOpen || !el("send-form").value;
    el("send-pdf-button").disabled = !helpOpen;
    document.getElementById("call").dataset.help = ready() ? "ready" : "waiting";
    renderShare();
  }

  function sendJson(message) {
    if (call && isOpen(call.help)) call.help.send(JSON.stringify(message));
  }

  // ---- real-time text ------------------------------------------------------------------------

  function onRtt(data) {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    const current = call.remoteCurrent;
    for (const char of text) {
      if (char === BACKSPACE) {
        current.pop();
      } else if (char === LINE_SEPARATOR) {
        endRemoteLine(current.splice(0).join(""));
      } else if (char === BOM || CONTROL.test(char)) {
        continue;
      } else {
        current.push(char);
        if (current.length >= MAX_LINE) endRemoteLine(current.splice(0).join(""));
      }
    }
    el("rtt-remote-current").textContent = current.join("");
    scrollDown(el("rtt-remote-lines"));
  }

  function endRemoteLine(line) {
    call.remoteLines.push(line);
    const box = el("rtt-remote-lines");
    const p = document.createElement("p");
    p.textContent = line;
    box.append(p);
    if (call.remoteLines.length > MAX_LINES) {
      call.remoteLines.shift();
      box.firstElementChild.remove();
    }
  }

  // The T.140 block that turns `old` into `now`: backspaces back to where they part, then the
  // rest of `now` (by code points, as the kiosk counts them).
  function edits(old, now) {
    const a = Array.from(old);
    const b = Array.from(now);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common += 1;
    return BACKSPACE.repeat(a.length - common) + b.slice(common).join("");
  }

  // Only our own U+0008 and U+2028 may steer the reader: a pasted tab or line break is a space.
  function clean(text) {
    return Array.from(text, (c) => (c === BOM || CONTROL.test(c) ? " " : c)).join("");
  }

  function sendRtt(block) {
    if (block && call && isOpen(call.rtt)) call.rtt.send(block);
  }

  function onInput() {
    if (!call) return;
    const text = clean(el("rtt-input").value);
    sendRtt(edits(call.draft, text));
    call.draft = text;
  }

  function endOwnLine() {
    if (!call || !isOpen(call.rtt)) return;
    onInput();  // whatever the field holds has gone out first
    if (!call.draft) return;
    sendRtt(LINE_SEPARATOR);
    call.ownLines.push(call.draft);
    const p = document.createElement("p");
    p.textContent = call.draft;
    const box = el("rtt-own-lines");
    box.append(p);
    if (call.ownLines.length > MAX_LINES) {
      call.ownLines.shift();
      box.firstElementChild.remove();
    }
    scrollDown(box);
    call.draft = "";
    el("rtt-input").value = "";
  }

  function scrollDown(box) {
    box.scrollTop = box.scrollHeight;
  }

  // ---- the help channel ----------------------------------------------------------------------

  function onHelp(data) {
    if (typeof data !== "string") {
      onBytes(data);
      return;
    }
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      sendJson({type: "refused", id: "", reason: "bad_message"});
      return;
    }
    if (!m || typeof m !== "object") return;
    const id = typeof m.id === "string" ? m.id : "";
    if (m.type === "hello") {
      call.screenMid = typeof m.screen_mid === "string" ? m.screen_mid : null;
      renderShare();
    } else if (m.type === "share_answer") {
      call.share = m.allowed === true ? "on" : "refused";
      renderShare();
    } else if (m.type === "share_stopped") {
      call.share = "stopped";
      call.shareBy = typeof m.by === "string" ? m.by : "";
      renderShare();
    } else if (m.type === "file") {
      fileStarts(id, m);
    } else if (m.type === "received" || m.type === "opened") {
      setStatus(id, m.type);
    } else if (m.type === "refused") {
      setStatus(id, "refused", typeof m.reason === "string" ? m.reason : "");
    } else {
      sendJson({type: "refused", id, reason: "bad_message"});
    }
  }

  function fileStarts(id, m) {
    call.incoming = null;
    const whole = (n) => Number.isInteger(n) && n > 0;
    if (m.kind !== "page" || !id || !whole(m.size) || !whole(m.width) || !whole(m.height)) {
      sendJson({type: "refused", id, reason: "bad_message"});
      return;
    }
    if (m.size > MAX_FILE_BYTES) {
      sendJson({type: "refused", id, reason: "too_large"});
      return;
    }
    const number = whole(m.number) ? m.number : call.papers.length + 1;
    call.incoming = {id, number, width: m.width, height: m.height, size: m.size, chunks: [], got: 0};
  }

  function onBytes(buffer) {
    const incoming = call.incoming;
    if (!incoming) return;  // the rest of a file refused
    incoming.chunks.push(buffer);
    incoming.got += buffer.byteLength;
    if (incoming.got < incoming.size) return;
    call.incoming = null;
    if (incoming.got > incoming.size) {
      sendJson({type: "refused", id: incoming.id, reason: "bad_message"});
      return;
    }
    const blob = new Blob(incoming.chunks, {type: "image/png"});
    sendJson({type: "received", id: incoming.id});
    addPaper(incoming, blob);
  }

  // ---- the kiosk's screen --------------------------------------------------------------------

  const SHARE_STATUS = {
    off: "",
    asked: "Kysytään asiakkaalta… / Asking the citizen…",
    on: "Näet kioskin näytön / You see the kiosk's screen",
    refused: "Asiakas ei sallinut / The citizen said no",
    stopped: "Näytön jako loppui / Sharing stopped",
  };

  function screenTrack(track) {
    el("screen-video").srcObject = new MediaStream([track]);
  }

  function askShare() {
    if (!call || !isOpen(call.help) || call.screenMid === null) return;
    call.share = "asked";
    sendJson({type: "share_request"});
    renderShare();
  }

  function stopShare() {
    if (!call) return;
    sendJson({type: "share_stop"});
    call.share = "off";
    renderShare();
  }

  function renderShare() {
    const state = call ? call.share : "off";
    const can = call !== null && isOpen(call.help) && call.screenMid !== null;
    el("share-request").disabled = !can || state === "asked" || state === "on";
    el("share-request").hidden = state === "on";
    el("share-stop").hidden = !(state === "on" || state === "asked");
    el("screen-video").hidden = state !== "on";
    const by = call && state === "stopped" && call.shareBy === "citizen"
      ? " (asiakas / the citizen)" : "";
    el("share-status").textContent = SHARE_STATUS[state] + by;
  }

  // ---- papers --------------------------------------------------------------------------------

  function addPaper(incoming, blob) {
    const mine = call;
    const paper = {
      number: incoming.number,
      width: incoming.width,
      height: incoming.height,
      size: blob.size,
      sha256: null,
      url: URL.createObjectURL(blob),
    };
    const figure = document.createElement("figure");
    figure.className = "paper";
    figure.dataset.number = String(paper.number);
    figure.dataset.width = String(paper.width);
    figure.dataset.height = String(paper.height);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "paper-open";
    const img = document.createElement("img");
    img.src = paper.url;
    img.alt = `Sivu ${paper.number} / Page ${paper.number}`;
    button.append(img);
    const caption = document.createElement("figcaption");
    const which = document.createElement("span");
    which.textContent = `Sivu ${paper.number} / Page ${paper.number},`;
    const size = document.createElement("span");
    size.textContent = `${paper.width}×${paper.height}`;
    caption.append(which, " ", size);
    figure.append(button, caption);
    figure.addEventListener("click", () => { if (call === mine) openPaper(paper); });
    paper.figure = figure;
    mine.papers.push(paper);
    el("papers").append(figure);
    el("papers-empty").hidden = true;
    openPaper(paper);
    digest(blob).then((hex) => {
      if (hex === null || call !== mine) return;
      paper.sha256 = hex;
      figure.dataset.sha256 = hex;
    });
  }

  // The SHA-256 of the bytes, as hex; null where the page is no secure context (plain HTTP to
  // another host than this one) and the browser has no crypto.subtle.
  async function digest(blob) {
    if (!window.crypto || !crypto.subtle) return null;
    const hash = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function openPaper(paper) {
    call.open = paper;
    call.zoom = "fit";
    for (const p of call.papers) p.figure.classList.toggle("open", p === paper);
    for (const p of call.papers) p.figure.querySelector("button").setAttribute("aria-pressed", String(p === paper));
    const image = el("paper-view-image");
    image.src = paper.url;
    if (!paper.shownAt) {
      // When the page first stood decoded in the viewer (wall clock, ms): what the
      // benchmark times from the citizen's "Show to advisor".
      image.decode().then(() => {
        if (!paper.shownAt) paper.shownAt = performance.timeOrigin + performance.now();
      }).catch(() => {});
    }
    el("paper-view-image").alt = `Sivu ${paper.number} / Page ${paper.number}`;
    el("paper-title").textContent = `Sivu ${paper.number} / Page ${paper.number}`;
    el("paper-viewer").hidden = false;
    renderZoom();
    el("paper-view").scrollTo(0, 0);
  }

  // The scale the paper shows at: fitted, its width is the viewer's inner width.
  function scale() {
    if (!call || !call.open) return 1;
    if (call.zoom !== "fit") return call.zoom;
    const view = el("paper-view");
    const inner = view.clientWidth || view.getBoundingClientRect().width;
    return inner > 0 ? inner / call.open.width : 1;
  }

  function renderZoom() {
    if (!call || !call.open) return;
    const img = el("paper-view-image");
    if (call.zoom === "fit") {
      img.style.width = "100%";
    } else {
      img.style.width = `${Math.round(call.open.width * call.zoom)}px`;
    }
    const percent = Math.round(scale() * 100);
    el("paper-zoom-level").textContent = `${percent} %`;
    el("paper-fit").setAttribute("aria-pressed", String(call.zoom === "fit"));
  }

  function zoom(factor) {
    if (!call || !call.open) return;
    const view = el("paper-view");
    const before = scale();
    const after = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, before * factor));
    // Steps land on 100 % when they pass it: the paper's own pixels are one click away.
    const snapped = (before - 1) * (after - 1) < 0 ? 1 : after;
    // Keep the middle of what is seen in the middle.
    const middleX = (view.scrollLeft + view.clientWidth / 2) / before;
    const middleY = (view.scrollTop + view.clientHeight / 2) / before;
    call.zoom = snapped;
    renderZoom();
    view.scrollTo(middleX * snapped - view.clientWidth / 2, middleY * snapped - view.clientHeight / 2);
  }

  function fit() {
    if (!call || !call.open) return;
    call.zoom = "fit";
    renderZoom();
  }

  // ---- what the advisor sends ----------------------------------------------------------------

  function problem(text) {
    el("send-problem").textContent = text;
  }

  function newItem(kind, what) {
    const item = {id: `a${call.nextId++}`, kind, status: "sent", reason: "", what, li: null};
    const li = document.createElement("li");
    li.dataset.id = item.id;
    li.dataset.kind = kind;
    const name = document.createElement("span");
    name.className = "what";
    name.textContent = what;
    const status = document.createElement("span");
    status.className = "status";
    li.append(name, " ", status);
    item.li = li;
    call.sent.push(item);
    el("sent").append(li);
    renderItem(item);
    return item;
  }

  function renderItem(item, progress) {
    item.li.dataset.status = item.status;
    let text = STATUS[item.status];
    if (item.status === "refused") {
      text += `: ${REFUSALS[item.reason] || item.reason || "?"}`;
      item.li.dataset.reason = item.reason;
    } else if (progress !== undefined) {
      text = `${STATUS.sending} ${progress} %`;
    }
    item.li.querySelector(".status").textContent = text;
  }

  const ORDER = ["sent", "received", "opened"];

  function setStatus(id, status, reason = "") {
    const item = call.sent.find((x) => x.id === id);
    if (!item || item.status === "refused") return;
    // An `opened` may come again (the citizen opens it twice); a late `received` changes nothing.
    if (status !== "refused" && ORDER.indexOf(status) <= ORDER.indexOf(item.status)) return;
    item.status = status;
    item.reason = reason;
    renderItem(item);
  }

  function sendChoice(kind, select) {
    if (!call || !isOpen(call.help) || !select.value) return;
    problem("");
    const label = select.options[select.selectedIndex].textContent;
    const what = kind === "eservice"
      ? `Asiointipalvelu / E-service: ${label}` : `Lomake / Form: ${label}`;
    const item = newItem(kind, what);
    const field = kind === "eservice" ? "service" : "form";
    sendJson({type: kind, id: item.id, [field]: select.value});
  }

  async function sendPdf() {
    if (!call || !isOpen(call.help)) return;
    const file = el("send-pdf").files[0];
    if (!file) {
      problem("Valitse ensin PDF-tiedosto / Choose a PDF file first");
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      problem(`${file.name}: yli 20 Mt, ei lähetetty / over 20 MiB, not sent`);
      return;
    }
    const mine = call;
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (call !== mine) return;
    const head = String.fromCharCode(...bytes.subarray(0, 5));
    if (bytes.length === 0 || head !== "%PDF-") {
      problem(`${file.name}: ei PDF-tiedosto, ei lähetetty / not a PDF, not sent`);
      return;
    }
    problem("");
    el("send-pdf").value = "";
    const item = newItem("pdf", `PDF: ${file.name}`);
    renderItem(item, 0);
    mine.files = mine.files.then(() => sendFile(mine, item, file.name, bytes)).catch((e) => {
      if (call === mine) problem(`${file.name}: ${e}`);
    });
  }

  async function sendFile(mine, item, name, bytes) {
    const channel = mine.help;
    const going = () => call === mine && channel.readyState === "open" && item.status !== "refused";
    if (!going()) return;
    channel.send(JSON.stringify({
      type: "file", id: item.id, kind: "pdf", name, mime: "application/pdf", size: bytes.length,
    }));
    let shown = -1;
    for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
      if (!going()) return;  // refused (the kiosk said so at once), or the call ended
      channel.send(bytes.subarray(start, start + CHUNK_BYTES));
      const percent = Math.floor(Math.min(bytes.length, start + CHUNK_BYTES) * 100 / bytes.length);
      if (percent !== shown && item.status === "sent") {
        shown = percent;
        renderItem(item, percent);
      }
      if (channel.bufferedAmount > HIGH_WATER) await drained(channel);
    }
    if (call === mine && item.status === "sent") renderItem(item);
  }

  function drained(channel) {
    return new Promise((resolve) => {
      const done = () => {
        channel.removeEventListener("bufferedamountlow", done);
        channel.removeEventListener("close", done);
        resolve();
      };
      channel.addEventListener("bufferedamountlow", done);
      channel.addEventListener("close", done);
    });
  }

  // ---- the catalogue -------------------------------------------------------------------------

  async function loadCatalogue() {
    try {
      const response = await fetch("/api/advisor/catalogue");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      catalogue = await response.json();
    } catch (e) {
      problem(`Luetteloa ei saatu / Could not load the catalogue: ${e.message}`);
      return;
    }
    fillEServices();
    fillForms();
    renderReady();
  }

  function option(value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  function fillEServices() {
    const select = el("send-eservice");
    select.replaceChildren();
    const topics = new Map((catalogue.topics || []).map((t) => [t.id, t.name.fi || t.id]));
    const groups = new Map();
    for (const service of catalogue.eservices) {
      const topic = topics.get(service.topic) || service.topic || "";
      if (!groups.has(topic)) groups.set(topic, []);
      groups.get(topic).push(service);
    }
    for (const [topic, services] of groups) {
      const parent = topic ? document.createElement("optgroup") : select;
      if (topic) {
        parent.label = topic;
        select.append(parent);
      }
      for (const s of services) parent.append(option(s.id, s.name.fi || s.id));
    }
  }

  function fillForms() {
    const select = el("send-form");
    select.replaceChildren();
    for (const form of catalogue.forms) select.append(option(form.id, form.title.fi || form.id));
  }

  // ---- for tests and the curious -------------------------------------------------------------

  function snapshot() {
    return {
      ready: ready(),
      remoteLines: call ? [...call.remoteLines] : [],
      remoteCurrent: call ? call.remoteCurrent.join("") : "",
      ownLines: call ? [...call.ownLines] : [],
      papers: call ? call.papers.map((p) => ({
        number: p.number, width: p.width, height: p.height, size: p.size, sha256: p.sha256,
        shownAt: p.shownAt || null,
      })) : [],
      open: call && call.open ? call.open.number : null,
      share: call ? call.share : "off",
      screenMid: call ? call.screenMid : null,
      zoom: call && call.open ? Math.round(scale() * 1000) / 1000 : null,
      sent: call ? call.sent.map((x) => ({
        id: x.id, kind: x.kind, status: x.status, reason: x.reason,
      })) : [],
    };
  }

  document.addEventListener("DOMContentLoaded", () => {
    const input = el("rtt-input");
    input.addEventListener("input", onInput);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        endOwnLine();
      }
    });
    el("rtt-send").addEventListener("click", endOwnLine);
    el("paper-zoom-in").addEventListener("click", () => zoom(ZOOM_STEP));
    el("paper-zoom-out").addEventListener("click", () => zoom(1 / ZOOM_STEP));
    el("paper-fit").addEventListener("click", fit);
    el("share-request").addEventListener("click", askShare);
    el("share-stop").addEventListener("click", stopShare);
    window.addEventListener("resize", renderZoom);
    el("send-eservice-button").addEventListener("click", () => sendChoice("eservice", el("send-eservice")));
    el("send-form-button").addEventListener("click", () => sendChoice("form", el("send-form")));
    el("send-pdf-button").addEventListener("click", () => {
      sendPdf().catch((e) => problem(`PDF: ${e}`));
    });
    el("send-eservice").addEventListener("change", renderReady);
    el("send-form").addEventListener("change", renderReady);
    reset();
    loadCatalogue();
  });

  return {attach, reset, snapshot, screenTrack};
})();

window.callHelp = CallHelp.snapshot;
