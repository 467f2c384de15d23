/* The rule page's live preview: as the rule's fields change, POST the form with
   "_preview" (the same request the Preview button sends without JavaScript) and put the
   two preview regions of the answer in place. Nothing is saved; no page reload. */
(function () {
  "use strict";
  var form = document.getElementById("screeningrule_form");
  var status = document.getElementById("rule-preview-status");
  if (!form || !status || !window.fetch || !window.DOMParser) {
    return;
  }
  var REGIONS = ["rule-preview-top", "rule-preview-details"];
  // Typing these changes nothing the preview shows.
  var QUIET = { acknowledgement: true, change_note: true, go_live: true, statement: true };
  var timer = null;
  var controller = null;
  var sent = 0;

  function refresh() {
    var data = new FormData(form);
    data.set("_preview", "1");
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++sent;
    status.textContent = "Updating the preview…";
    form.setAttribute("aria-busy", "true");
    fetch(window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Renown-Preview": "panel" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the server answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (mine !== sent) {
          return;
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        REGIONS.forEach(function (id) {
          var fresh = page.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) {
            old.replaceWith(document.importNode(fresh, true));
          }
        });
        status.textContent = "Preview updated for the values below (not saved).";
        form.removeAttribute("aria-busy");
      })
      .catch(function (error) {
        if (error.name === "AbortError") {
          return;
        }
        form.removeAttribute("aria-busy");
        status.textContent =
          "The preview could not be updated (" + error.message + "): press Preview.";
      });
  }

  function changed(event) {
    var target = event.target;
    if (!target || !target.name || QUIET[target.name]) {
      return;
    }
    // The approval is of the saved version: not beside a preview of edited values.
    var approve = document.getElementById("approve-saved");
    if (approve && !approve.disabled) {
      approve.disabled = true;
      var note = document.getElementById("approve-note");
      if (note) {
        note.hidden = false;
      }
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // A submit (Save, Preview, Approve) replaces the page: no preview left to send.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    if (controller) {
      controller.abort();
    }
  });
})();
