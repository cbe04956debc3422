/* Idle timeout warning (WCAG 2.2.1): a little before the server signs an idle user out, show
   a warning with one button to stay signed in. The server enforces the timeout; this only
   warns. Without JavaScript the page still works and the timeout still applies. */
(function () {
  "use strict";
  var box = document.getElementById("session-timeout");
  if (!box || !window.fetch) { return; }
  var idle = parseInt(box.dataset.idleSeconds, 10);
  var warning = parseInt(box.dataset.warningSeconds, 10);
  var statusUrl = box.dataset.statusUrl;
  var loginUrl = box.dataset.loginUrl;
  var form = box.querySelector("form");
  var countdown = box.querySelector("[data-countdown]");
  var timer = null;
  var ticker = null;

  function describe(seconds) {
    if (seconds >= 90) { return Math.round(seconds / 60) + " minutes"; }
    if (seconds > 60) { return "1 minute"; }
    return seconds + " seconds";
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(secondsLeft - warning, 1) * 1000);
  }

  function signOut() {
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }

  function show(secondsLeft) {
    var endsAt = Date.now() + secondsLeft * 1000;
    countdown.textContent = describe(secondsLeft);
    box.hidden = false;
    box.querySelector("button").focus();
    window.clearInterval(ticker);
    ticker = window.setInterval(function () {
      var left = Math.round((endsAt - Date.now()) / 1000);
      if (left <= 0) { window.clearInterval(ticker); window.location.reload(); return; }
      countdown.textContent = describe(left);
    }, 1000);
  }

  function hide() {
    box.hidden = true;
    window.clearInterval(ticker);
  }

  // Another tab may have kept the session alive: ask the server before warning.
  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { signOut(); return null; }
        return response.json();
      })
      .then(function (remaining) {
        if (!remaining) { return; }
        var left = Math.min(remaining.idle, remaining.absolute);
        if (left <= 0) { window.location.reload(); }
        else if (left > warning + 5) { hide(); schedule(left); }
        else { show(left); window.clearTimeout(timer); }  // the countdown reloads at zero
      })
      .catch(function () { schedule(warning + 30); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      body: new FormData(form)
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) { signOut(); return null; }
      return response.json();
    }).then(function (remaining) {
      if (!remaining) { return; }
      hide();
      schedule(Math.min(remaining.idle, remaining.absolute));
    }).catch(function () { form.submit(); });
  });

  schedule(idle);
}());
