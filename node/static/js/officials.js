/*
 * giamngheo officials' workspace: small conveniences on pages that work without them.
 * - [data-print] buttons open the browser's print window (which also saves as PDF).
 * - [data-tick-all="name"] buttons tick every checkbox of that name in their form.
 * - Signing out deletes what the field app keeps on this device (its encrypted store and its
 *   stored page) before the sign-out is sent.
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-tick-all]").forEach(function (button) {
    var name = button.getAttribute("data-tick-all");
    button.hidden = false;
    button.addEventListener("click", function () {
      var form = button.closest("form");
      form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = true;
      });
    });
  });
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    var wiped = false;
    form.addEventListener("submit", function (event) {
      if (wiped || !window.indexedDB) return;
      event.preventDefault();
      var done = function () { wiped = true; form.submit(); };
      var request = window.indexedDB.deleteDatabase("giamngheo-field");
      request.onsuccess = request.onerror = request.onblocked = function () {
        if (!window.caches) return done();
        caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf("giamngheo-field-") === 0; })
            .map(function (n) { return caches.delete(n); }));
        }).then(done, done);
      };
    });
  });
})();
