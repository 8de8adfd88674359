/*
 * giamngheo officials' workspace: small conveniences on pages that work without them.
 * - [data-print] buttons open the browser's print window (which also saves as PDF).
 * - [data-tick-all="name"] buttons tick every checkbox of that name in their form.
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
})();
