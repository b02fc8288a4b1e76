// Tries every kind of request to the off-list site on load, and one of each allowed kind to this
// site, writing each outcome into #<name>-result: "loaded" when the other end answered (an
// off-list "loaded" means the kiosk let it through), "blocked" when the request failed,
// "timeout" when nothing happened. #probe-done says "done" when every outcome is in.
// ?only=img,fetch limits the probe to the names listed.
"use strict";
(function () {
  const offlist = document.body.dataset.offlist;
  const only = new URLSearchParams(location.search).get("only");
  const wanted = (name) => !only || only.split(",").includes(name);
  const pending = new Set();
  const sink = document.getElementById("sink");

  function finish() {
    if (pending.size === 0) document.getElementById("probe-done").textContent = "done";
  }
  function result(name, text) {
    if (!pending.has(name)) return; // the first outcome counts
    pending.delete(name);
    document.getElementById(name + "-result").textContent = text;
    finish();
  }
  function probe(name, attempt) {
    const cell = document.getElementById(name + "-result");
    if (!wanted(name)) {
      cell.textContent = "skipped";
      return;
    }
    pending.add(name);
    cell.textContent = "pending";
    try {
      attempt();
    } catch (e) {
      result(name, "blocked");
    }
  }

  // The off-list site's pages post "offlist:<path>" to their parent when they run.
  window.addEventListener("message", (event) => {
    if (event.data === "offlist:/frame") result("iframe", "loaded");
    if (event.data === "offlist:/post") result("form", "loaded");
  });

  probe("img", () => {
    const img = new Image();
    img.onload = () => result("img", "loaded");
    img.onerror = () => result("img", "blocked");
    img.src = offlist + "/probe.png";
    sink.appendChild(img);
  });
  probe("iframe", () => {
    const frame = document.createElement("iframe");
    frame.src = offlist + "/frame";
    frame.onload = () => setTimeout(() => result("iframe", "blocked"), 1000);
    sink.appendChild(frame);
  });
  probe("script", () => {
    const script = document.createElement("script");
    script.onload = () => result("script", window.offlistScriptRan ? "loaded" : "blocked");
    script.onerror = () => result("script", "blocked");
    script.src = offlist + "/probe.js";
    document.head.appendChild(script);
  });
  probe("fetch", () => {
    fetch(offlist + "/probe.json", { mode: "no-cors" }).then(
      () => result("fetch", "loaded"),
      () => result("fetch", "blocked"),
    );
  });
  probe("websocket", () => {
    const socket = new WebSocket(offlist.replace(/^http/, "ws") + "/socket");
    socket.onopen = () => {
      result("websocket", "loaded");
      socket.close();
    };
    socket.onerror = () => result("websocket", "blocked");
    socket.onclose = () => result("websocket", "blocked");
  });
  probe("form", () => {
    // Posted into a frame of this page, so that the page stays to tell the outcome.
    const frame = document.createElement("iframe");
    frame.name = "post-sink";
    sink.appendChild(frame);
    const form = document.createElement("form");
    form.method = "post";
    form.action = offlist + "/post";
    form.target = "post-sink";
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "probe";
    field.value = "form";
    form.appendChild(field);
    document.body.appendChild(form);
    setTimeout(() => {
      frame.onload = () => setTimeout(() => result("form", "blocked"), 1000);
      form.submit();
    }, 0);
  });
  probe("fetch-allowed", () => {
    fetch("/api/ping").then(
      (response) => result("fetch-allowed", response.ok ? "loaded" : "blocked"),
      () => result("fetch-allowed", "blocked"),
    );
  });
  probe("websocket-allowed", () => {
    const socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws");
    socket.onopen = () => socket.send("ping");
    socket.onmessage = (event) => {
      result("websocket-allowed", event.data === "ping" ? "loaded" : "blocked");
      socket.close();
    };
    socket.onerror = () => result("websocket-allowed", "blocked");
    socket.onclose = () => result("websocket-allowed", "blocked");
  });

  setTimeout(() => {
    for (const name of Array.from(pending)) result(name, "timeout");
  }, 8000);
  finish();
})();
