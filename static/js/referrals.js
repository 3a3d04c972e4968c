// Referrals: ask before a step that cannot be undone (decline, cancel). No inline handlers (CSP).
(function () {
  "use strict";
  document.querySelectorAll("form.referral-step .button--danger").forEach(function (button) {
    button.form.addEventListener("submit", function (event) {
      var question = document.documentElement.lang === "en"
        ? "This cannot be undone. Continue?"
        : "Langkah ini tidak dapat dibatalkan. Lanjutkan?";
      if (!window.confirm(question)) {
        event.preventDefault();
      }
    });
  });
})();
