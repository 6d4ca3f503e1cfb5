// rmeval leaderboard: sortable columns and filters for the tables the page already holds.
// The rows are static, escaped HTML written by rmeval; this script only reorders and hides them and never
// turns text into markup.
"use strict";

(function () {
  function cellKey(row, column, numeric) {
    var cell = row.cells[column];
    var raw = cell ? cell.getAttribute("data-value") : null;
    if (numeric) {
      var number = raw === null || raw === "" ? NaN : Number(raw);
      return isNaN(number) ? null : number;
    }
    return (raw === null ? cell.textContent : raw).toLowerCase();
  }

  function compareKeys(a, b, direction) {
    // Missing values go last whatever the direction.
    if (a === null || b === null) {
      return a === b ? 0 : a === null ? 1 : -1;
    }
    if (a < b) {
      return -direction;
    }
    return a > b ? direction : 0;
  }

  function sortingRow(table) {
    // The last header row holds the sortable headers; a row above it may group them (one group per benchmark).
    return table.tHead.rows[table.tHead.rows.length - 1];
  }

  function sortTable(table, header) {
    var headers = Array.prototype.slice.call(sortingRow(table).cells);
    var column = headers.indexOf(header);
    var numeric = header.getAttribute("data-type") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    if (header.getAttribute("aria-sort") === null && numeric) {
      ascending = false; // scores read best first
    }
    var direction = ascending ? 1 : -1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return { row: row, key: cellKey(row, column, numeric), index: index };
    });
    rows.sort(function (a, b) {
      return compareKeys(a.key, b.key, direction) || a.index - b.index;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (item) {
      fragment.appendChild(item.row);
    });
    body.appendChild(fragment);
    headers.forEach(function (h) {
      h.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function applyFilters() {
    var kind = document.getElementById("kind-filter");
    var text = document.getElementById("model-filter");
    var wantedKind = kind ? kind.value : "";
    var needle = text ? text.value.trim().toLowerCase() : "";
    var shown = 0;
    var total = 0;
    document.querySelectorAll("table.leaderboard tbody tr").forEach(function (row) {
      var visible = (!wantedKind || row.getAttribute("data-kind") === wantedKind) &&
        (!needle || (row.getAttribute("data-model") || "").indexOf(needle) !== -1);
      row.hidden = !visible;
      if (!row.closest("table.overview")) { // the overview repeats the runs of the tables below it
        total += 1;
        shown += visible ? 1 : 0;
      }
    });
    var counter = document.getElementById("shown");
    if (counter) {
      counter.textContent = "showing " + shown + " of " + total;
    }
  }

  document.querySelectorAll("table.leaderboard").forEach(function (table) {
    Array.prototype.forEach.call(sortingRow(table).cells, function (header) {
      var button = header.querySelector("button");
      if (button) {
        button.addEventListener("click", function () {
          sortTable(table, header);
        });
      }
    });
  });
  ["kind-filter", "model-filter"].forEach(function (id) {
    var control = document.getElementById(id);
    if (control) {
      control.addEventListener("input", applyFilters);
      control.addEventListener("change", applyFilters);
    }
  });
  applyFilters();
})();
