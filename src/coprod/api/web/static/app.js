// Small, progressive JavaScript: draw the charts embedded as JSON, poll a running job,
// sort tables by a click on a header, filter them with a search box, mark grid edits.
document.querySelectorAll("[data-figure]").forEach(function (el) {
  if (!window.Plotly) return;
  var fig = JSON.parse(el.getAttribute("data-figure"));
  window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
});
function pollJob(box, stages) {
  var bar = box.querySelector("progress"), text = box.querySelector("[data-status]");
  var tick = function () {
    fetch(box.getAttribute("data-url"), { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (s) {
        text.textContent = s.status + (s.error ? ": " + s.error : "") + (s.detail ? " (" + s.detail + ")" : "");
        if (typeof s.done === "number") { bar.max = s.total || 1; bar.value = s.done; }
        else { bar.value = Math.max(0, stages.indexOf(s.status)); }
        if (s.status === "done") { window.location = box.getAttribute("data-next"); }
        else if (s.status !== "failed") { setTimeout(tick, 400); }
      });
  };
  tick();
}
var poll = document.getElementById("plan-progress");
if (poll) { pollJob(poll, ["queued", "building", "solving", "rounding", "explaining", "done"]); }
var riskPoll = document.getElementById("risk-progress");
if (riskPoll) { pollJob(riskPoll, []); }
function cellValue(td, numeric) {
  var v = td.getAttribute("data-value") || td.textContent.trim();
  if (!numeric) return v.toLowerCase();
  var n = parseFloat(v.replace(/[^0-9.\-]/g, ""));
  return isNaN(n) ? -Infinity : n;
}
document.querySelectorAll("table.sortable th[data-sort]").forEach(function (th) {
  th.tabIndex = 0;
  var sort = function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort") === "num";
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[index], numeric), y = cellValue(b.cells[index], numeric);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  };
  th.addEventListener("click", sort);
  th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
});
document.querySelectorAll("input[data-filter]").forEach(function (box) {
  var name = box.getAttribute("data-filter");
  var table = document.getElementById(name) || document.querySelector("[data-table='" + name + "']");
  var count = document.querySelector("[data-count='" + name + "']");
  if (!table) return;
  var apply = function () {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0, rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (r) {
      var text = r.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      r.hidden = !ok; if (ok) shown++;
    });
    if (count) count.textContent = shown + " of " + rows.length + " shown";
  };
  box.addEventListener("input", apply);
  apply();
});
document.querySelectorAll("input.cell").forEach(function (input) {
  input.addEventListener("input", function () {
    input.parentNode.classList.toggle("changed", input.value !== input.defaultValue);
  });
});
