// The support pages' navigation: the Deliveries link shows how many submissions have failed
// and wait for support (one request to the submissions API per page load;
// the deliveries page gives the count from what it fetched itself).
"use strict";

(() => {
  const LIMIT = 500;  // the API lists at most this many

  async function showFailedCount() {
    const link = support.$("nav-deliveries");
    if (!link) return;
    let failed;
    try {
      failed = (await support.getJson("/api/support/submissions?status=failed")).submissions.length;
    } catch (error) {
      return;  // the page itself says what went wrong; the link works without its count
    }
    setFailedCount(failed);
  }

  // `failed` as counted by a page that has just fetched the failed ones itself.
  function setFailedCount(failed) {
    const link = support.$("nav-deliveries");
    if (!link) return;
    link.querySelector(".count")?.remove();
    if (failed === 0) return;
    link.append(support.element("span", {className: "count", dataset: {failed}},
      failed >= LIMIT ? `${LIMIT}+` : String(failed),
      support.element("span", {className: "visually-hidden"}, " failed")));
  }

  // Pages written before the Updates page get its link after Deliveries.
  function linkUpdates() {
    const nav = document.querySelector("header nav");
    if (!nav || nav.querySelector('a[href="/support/updates"]')) return;
    nav.append(support.element("a", {href: "/support/updates", id: "nav-updates"}, "Updates"));
  }

  window.supportNav = {showFailedCount, setFailedCount};
  document.addEventListener("DOMContentLoaded", () => {
    linkUpdates();
    // The deliveries page counts them with its own requests.
    if (document.body.dataset.page !== "deliveries") showFailedCount();
  });
})();
