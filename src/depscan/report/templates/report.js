(function () {
  "use strict";
  var SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

  function tableOf(name) {
    return document.querySelector('table[data-table="' + name + '"]');
  }

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? (cell.getAttribute("data-sort") || cell.textContent || "") : "";
    if (numeric) {
      var number = parseFloat(raw);
      return isNaN(number) ? -Infinity : number;
    }
    return raw.toLowerCase();
  }

  function sortTable(table, key, direction) {
    var headers = table.tHead.rows[0].cells;
    var index = -1;
    for (var i = 0; i < headers.length; i++) {
      if (headers[i].getAttribute("data-key") === key) { index = i; }
    }
    if (index < 0) { return false; }
    var numeric = headers[index].getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = direction === "asc" ? 1 : -1;
    rows.forEach(function (row, position) { row._position = position; });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric);
      var y = cellValue(b, index, numeric);
      if (x < y) { return -sign; }
      if (x > y) { return sign; }
      return a._position - b._position;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    for (var j = 0; j < headers.length; j++) {
      if (j === index) {
        headers[j].setAttribute("aria-sort", direction === "asc" ? "ascending" : "descending");
      } else {
        headers[j].removeAttribute("aria-sort");
      }
    }
    table.setAttribute("data-sorted", key + ":" + direction);
    return true;
  }

  function applyFilters(name) {
    var table = tableOf(name);
    if (!table) { return; }
    var search = document.querySelector('[data-filter="' + name + '"]');
    var severity = document.querySelector('[data-severity="' + name + '"]');
    var exempted = document.querySelector('[data-exempted="' + name + '"]');
    var flagged = document.querySelector('[data-flagged="' + name + '"]');
    var words = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    var minimum = severity && severity.value ? SEVERITY_RANK[severity.value] : -1;
    var shown = 0;
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var text = row.textContent.toLowerCase();
      var visible = words.every(function (word) { return text.indexOf(word) >= 0; });
      if (visible && minimum >= 0) { visible = parseInt(row.getAttribute("data-rank"), 10) >= minimum; }
      if (visible && exempted && !exempted.checked) { visible = row.getAttribute("data-exempted") !== "yes"; }
      if (visible && flagged && flagged.checked) { visible = row.getAttribute("data-flagged") === "yes"; }
      row.hidden = !visible;
      if (visible) { shown += 1; }
    }
    var output = document.querySelector('[data-shown="' + name + '"]');
    if (output) { output.textContent = shown + " of " + rows.length + " shown"; }
  }

  function fromFragment() {
    var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (fragment.indexOf("=") < 0) { return; }
    fragment.split("&").forEach(function (part) {
      var at = part.indexOf("=");
      var name = part.slice(0, at);
      var value = part.slice(at + 1);
      var fields = value.split(":");
      if (name === "sort" && fields.length >= 2) {
        var table = tableOf(fields[0]);
        if (table) { sortTable(table, fields[1], fields[2] === "desc" ? "desc" : "asc"); }
      } else if (name === "filter" && fields.length >= 2) {
        var input = document.querySelector('[data-filter="' + fields[0] + '"]');
        if (input) { input.value = fields.slice(1).join(":"); applyFilters(fields[0]); }
      } else if (name === "severity" && Object.prototype.hasOwnProperty.call(SEVERITY_RANK, value)) {
        var select = document.querySelector('[data-severity="findings"]');
        if (select) { select.value = value; applyFilters("findings"); }
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
      var button = header.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var current = header.getAttribute("aria-sort");
        var numeric = header.getAttribute("data-type") === "num";
        var direction = current ? (current === "ascending" ? "desc" : "asc") : (numeric ? "desc" : "asc");
        sortTable(table, header.getAttribute("data-key"), direction);
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".controls"), function (controls) {
    var name = controls.getAttribute("data-table");
    Array.prototype.forEach.call(controls.querySelectorAll("input, select"), function (control) {
      control.addEventListener(control.type === "search" ? "input" : "change", function () { applyFilters(name); });
    });
  });

  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details"), function (item) { return !item.open; });
    opened.forEach(function (item) { item.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (item) { item.open = false; });
    opened = [];
  });

  window.addEventListener("hashchange", fromFragment);
  fromFragment();
  document.documentElement.setAttribute("data-ready", "yes");
})();
