// The buttons of the "try the kiosk's limits" page: a popup opened by script, the permissions a
// kiosk browser must deny, and a WebSocket to this site. Each writes its outcome into
// #<name>-result ("granted", "denied", or the error's name), for a person and for tests.
"use strict";
(function () {
  function show(name, text, detail) {
    const cell = document.getElementById(name + "-result");
    cell.textContent = text;
    cell.title = detail || "";
  }
  function refused(name, error) {
    show(name, error.name === "NotAllowedError" ? "denied" : error.name, error.message);
  }
  function on(id, action) {
    document.getElementById(id).addEventListener("click", () => {
      try {
        action();
      } catch (e) {
        refused(id, e);
      }
    });
  }
  document.getElementById("secure-context").textContent = String(window.isSecureContext);

  on("popup-open", () => {
    const opened = window.open("/popup", "_blank");
    show("popup-open", opened ? "opened" : "refused");
  });
  on("geo", () => {
    if (!navigator.geolocation) return show("geo", "unavailable");
    show("geo", "asking");
    navigator.geolocation.getCurrentPosition(
      () => show("geo", "granted"),
      (e) => show("geo", e.code === e.PERMISSION_DENIED ? "denied" : "error", e.message),
      { timeout: 10000 },
    );
  });
  on("camera", () => {
    if (!navigator.mediaDevices) return show("camera", "unavailable");
    show("camera", "asking");
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(
      (stream) => {
        stream.getTracks().forEach((track) => track.stop());
        show("camera", "granted");
      },
      (e) => refused("camera", e),
    );
  });
  on("notify", () => {
    if (!("Notification" in window)) return show("notify", "unavailable");
    show("notify", "asking");
    Notification.requestPermission().then((answer) => show("notify", answer));
  });
  on("clipboard", () => {
    if (!navigator.clipboard) return show("clipboard", "unavailable");
    show("clipboard", "asking");
    navigator.clipboard.readText().then(
      () => show("clipboard", "granted"),
      (e) => refused("clipboard", e),
    );
  });
  on("ws-echo", () => {
    const socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws");
    socket.onopen = () => socket.send("hello");
    socket.onmessage = (event) => {
      show("ws-echo", "echo: " + event.data);
      socket.close();
    };
    socket.onerror = () => show("ws-echo", "error");
  });
})();
