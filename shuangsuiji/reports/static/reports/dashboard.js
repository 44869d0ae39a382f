// KPI dashboard charts (ECharts, vendored). Data: the JSON in #chart-data; a click on a bar
// opens the records behind it (the drill URL in data-drill of the chart's element).
(function () {
  var node = document.getElementById("chart-data");
  if (!node || typeof echarts === "undefined") return;
  var data = JSON.parse(node.textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return null;
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  var cov = chart("chart-coverage", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["实际抽查比例（%）", "最低抽查比例（%）"] },
    grid: { left: 40, right: 10, top: 40, bottom: 80 },
    xAxis: { type: "category", data: data.coverage.items, axisLabel: { interval: 0, rotate: 30, width: 120, overflow: "truncate" } },
    yAxis: { type: "value" },
    series: [
      { name: "实际抽查比例（%）", type: "bar", data: data.coverage.achieved },
      // the minimum of each item on its own bar (a marker, not a line: the items are not a series)
      { name: "最低抽查比例（%）", type: "scatter", symbol: "rect", symbolSize: [40, 4], itemStyle: { color: "#c92a2a" }, data: data.coverage.min },
    ],
  });
  if (cov) {
    var base = document.getElementById("chart-coverage").dataset.drill;
    cov.on("click", function (p) { window.location.href = base + "&item=" + encodeURIComponent(p.name); });
  }
  chart("chart-workload", {
    tooltip: {},
    grid: { left: 40, right: 10, bottom: 40 },
    xAxis: { type: "category", name: "户/人", data: data.workload.loads },
    yAxis: { type: "value", name: "人数" },
    series: [{ type: "bar", data: data.workload.inspectors }],
  });
})();
