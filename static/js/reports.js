// Progress of a PDF report run: polls the status URL and reloads the page when the run is
// finished (the page then shows the download). Without JavaScript the page refreshes itself
// through a <noscript> meta refresh. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var box = document.querySelector("[data-report-status-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-report-status-url");
  var message = box.querySelector("[data-report-message]");
  var progress = box.querySelector("[data-report-progress]");
  var delay = 1500;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (message && data.message) { message.textContent = data.message; }
        if (progress) { progress.value = data.progress; progress.textContent = data.progress + "%"; }
        if (data.status === "done" || data.status === "failed") {
          window.location.reload();
          return;
        }
        delay = data.waiting_for_worker ? 10000 : 1500;
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
