// spyscan lab: refreshes the progress of running scans. The pages work
// without it (reload to see progress); it only reads /scans/ID/progress
// from this server.
"use strict";
(function () {
  var rows = document.querySelectorAll("[data-progress]");
  if (!rows.length) return;
  function tick() {
    var pending = 0;
    rows.forEach(function (row) {
      var url = row.getAttribute("data-progress");
      pending++;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return;
          if (p.state !== "queued" && p.state !== "running") { location.reload(); return; }
          var bar = row.querySelector("progress");
          if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.done; }
          var text = row.querySelector("[data-progress-text]");
          if (text) text.textContent = p.text;
          var state = row.querySelector("[data-state]");
          if (state && state.getAttribute("data-state") !== p.state) location.reload();
        })
        .catch(function () {})
        .finally(function () { if (--pending === 0) setTimeout(tick, 1500); });
    });
  }
  setTimeout(tick, 1500);
})();
