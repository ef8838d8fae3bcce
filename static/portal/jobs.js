/* Exports and imports pages: refresh the rows of unfinished jobs from the JSON API until they finish,
 * list the columns of a chosen CSV or JSON-lines file beside the column mapping, and fit the export form's
 * schema choices to the chosen datasets.
 * Plain JavaScript, no dependencies; without it the pages still work (reload to refresh). */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var MAX_POLL_MS = 15000;
  var FINISHED = { succeeded: true, failed: true };
  var STATUS_LABELS = { queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed" };
  var HEAD_BYTES = 65536;

  function field(row, name) {
    return row.querySelector('[data-field="' + name + '"]');
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.className = "button small";
    a.href = href;
    a.textContent = text;
    return a;
  }

  function showFiles(row, job) {
    var cell = field(row, "files");
    var base = row.dataset.download;
    cell.textContent = "";
    if (row.dataset.kind === "export") {
      (job.files || []).forEach(function (role) {
        cell.appendChild(link(base + "?file=" + encodeURIComponent(role), role));
        cell.appendChild(document.createTextNode(" "));
      });
    } else if (job.has_report) {
      cell.appendChild(link(base, "Report"));
    }
  }

  function showImportResult(row, job) {
    field(row, "result").textContent =
      job.created_count + " created · " + job.updated_count + " updated · " + job.skipped_count + " skipped";
    var list = field(row, "bad-rows");
    var shown = parseInt(row.dataset.badRowsShown, 10) || 20;
    list.textContent = "";
    ((job.error_details && job.error_details.rows) || []).slice(0, shown).forEach(function (bad) {
      var item = document.createElement("li");
      item.textContent = "Line " + bad.line + (bad.field ? " (" + bad.field + ")" : "") + ": " + bad.message;
      list.appendChild(item);
    });
  }

  function update(row, job) {
    var total = job.progress.total;
    var done = job.progress.done;
    var bar = field(row, "progress");
    bar.max = total || 1;
    bar.value = done;
    bar.textContent = done + " of " + total;
    field(row, "status").textContent = STATUS_LABELS[job.status] || job.status;
    field(row, "error").textContent = job.error || "";
    field(row, "attempts").textContent = job.attempts > 1 ? "Attempt " + job.attempts : "";
    if (row.dataset.kind === "export") {
      field(row, "counts").textContent = done + " of " + total + " records" +
        (job.status === "succeeded" ? " · " + job.row_count + " rows" : "");
    } else {
      field(row, "counts").textContent = done + " rows read";
    }
    row.dataset.status = job.status;
    if (FINISHED[job.status]) {
      showFiles(row, job);
      if (row.dataset.kind === "import") showImportResult(row, job);
    }
  }

  /* Poll one row with a growing delay (a long export does not need a request every two seconds). */
  function poll(row, delay) {
    window.setTimeout(function () {
      fetch(row.dataset.job, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (job) {
          update(row, job);
          if (!FINISHED[job.status]) poll(row, Math.min(delay * 1.5, MAX_POLL_MS));
        })
        .catch(function () { poll(row, MAX_POLL_MS); });
    }, delay);
  }

  function watchJobs() {
    document.querySelectorAll("tr[data-job]").forEach(function (row) {
      if (!FINISHED[row.dataset.status]) poll(row, POLL_MS);
    });
  }

  /* Column names from the start of a CSV (its header line) or JSON-lines file (the first object's keys). */
  function columnsOf(name, text) {
    var firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/)[0] || "";
    if (/\.jsonl$/i.test(name)) {
      try { return Object.keys(JSON.parse(firstLine)); } catch (e) { return null; }
    }
    if (/\.csv$/i.test(name)) {
      return firstLine.split(",").map(function (c) { return c.trim().replace(/^"(.*)"$/, "$1"); });
    }
    return null;
  }

  function watchFileInput() {
    var note = document.querySelector("[data-file-columns]");
    var input = document.querySelector("input[type=file]");
    if (!note || !input || !window.FileReader) return;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      note.hidden = true;
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var columns = columnsOf(file.name, String(reader.result));
        if (!columns || !columns.length) return;
        note.textContent = "Columns in " + file.name + ": " + columns.join(", ");
        note.hidden = false;
      };
      reader.readAsText(file.slice(0, HEAD_BYTES));
    });
  }

  // Export form: offer in each schema select only the names every chosen dataset has (all of them while none
  // is chosen); a choice that no longer fits falls back to the default.
  function watchExportChoices() {
    var form = document.querySelector("[data-export-form]");
    if (!form) return;
    var boxes = form.querySelectorAll("input[name=datasets]");
    function update() {
      var chosen = [];
      boxes.forEach(function (box) { if (box.checked) chosen.push(box.value); });
      form.querySelectorAll("option[data-datasets]").forEach(function (option) {
        var owners = option.dataset.datasets.split(" ");
        var fits = chosen.every(function (id) { return owners.indexOf(id) !== -1; });
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) option.parentNode.value = "";
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    watchJobs();
    watchFileInput();
    watchExportChoices();
  });
})();
