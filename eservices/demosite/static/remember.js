// Keeps the value given in ?canary= in a cookie and in localStorage that outlive the page, as a
// site remembering what was typed would; /recall looks for them in a later session.
"use strict";
(function () {
  const canary = new URLSearchParams(location.search).get("canary");
  if (!canary) return;
  document.cookie = "canary=" + encodeURIComponent(canary) + "; max-age=31536000; path=/";
  localStorage.setItem("canary", canary);
  document.getElementById("remember-result").textContent = "stored";
})();
