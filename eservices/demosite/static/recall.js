// Reads what /remember stored (the cookie and localStorage), shows it, and tells the site through
// /seen, so that the site's own log shows what a later session still carried.
"use strict";
(function () {
  const entry = document.cookie.split("; ").find((c) => c.startsWith("canary="));
  const cookie = entry ? decodeURIComponent(entry.slice("canary=".length)) : "";
  const storage = localStorage.getItem("canary") || "";
  document.getElementById("recall-cookie").textContent = cookie || "none";
  document.getElementById("recall-storage").textContent = storage || "none";
  const done = document.getElementById("recall-done");
  fetch("/seen?" + new URLSearchParams({ cookie: cookie, storage: storage })).then(
    (response) => (done.textContent = response.ok ? "reported" : "error " + response.status),
    () => (done.textContent = "error"),
  );
})();
