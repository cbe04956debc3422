/* Pages opened to print (?print=1, which is what the audit trail records as a print) open the
   browser's print dialog; without JavaScript, print from the browser's menu. */
(function () {
  "use strict";
  if (new URLSearchParams(window.location.search).get("print") === "1") {
    window.addEventListener("load", function () { window.print(); });
  }
}());
