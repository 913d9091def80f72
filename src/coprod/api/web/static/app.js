// Small, progressive JavaScript: draw the charts embedded as JSON, poll a running plan.
document.querySelectorAll("[data-figure]").forEach(function (el) {
  if (!window.Plotly) return;
  var fig = JSON.parse(el.getAttribute("data-figure"));
  window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
});
var poll = document.getElementById("plan-progress");
if (poll) {
  var stages = ["queued", "building", "solving", "rounding", "explaining", "done"];
  var bar = poll.querySelector("progress"), text = poll.querySelector("[data-status]");
  var tick = function () {
    fetch(poll.getAttribute("data-url"), { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (s) {
        text.textContent = s.status + (s.error ? ": " + s.error : "");
        bar.value = Math.max(0, stages.indexOf(s.status));
        if (s.status === "done") { window.location = poll.getAttribute("data-next"); }
        else if (s.status !== "failed") { setTimeout(tick, 400); }
      });
  };
  tick();
}
