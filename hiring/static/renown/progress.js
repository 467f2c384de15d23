// Follows a refresh: polls the progress JSON and updates the bar in place.
// Without JavaScript the page reloads itself (<noscript> meta refresh) instead.
(function () {
  "use strict";
  var section = document.getElementById("refresh-progress");
  if (!section) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("refresh-bar");
  function set(field, value) {
    var node = section.querySelector('[data-field="' + field + '"]');
    if (node) { node.textContent = String(value); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { window.setTimeout(poll, 5000); return; }
        bar.value = body.percent;
        bar.textContent = body.percent + "%";
        ["percent", "done", "total", "skipped", "failed"].forEach(function (f) { set(f, body[f]); });
        set("status", body.finished ? body.status : "running");
        if (body.finished) {
          document.getElementById("refresh-reload").hidden = true;
          document.getElementById("refresh-done").hidden = false;
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
