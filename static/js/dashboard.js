/* Charts of the merchant dashboard and of the staff compliance overview (Apache ECharts, vendored).
 *
 * The figures come from json_script blocks (no inline script: the CSP forbids it); every chart
 * has a table of the same numbers next to it, so nothing here is needed to read them.
 */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node || !window.echarts) {
      return;
    }
    var instance = window.echarts.init(node);
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function pie(id, rows) {
    chart(id, {
      tooltip: { trigger: "item", valueFormatter: function (v) { return "¥" + v; } },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        data: rows.map(function (r) { return { name: r[0], value: Number(r[1]) }; })
      }]
    });
  }

  function bars(id, rows, name, horizontal) {
    var categories = rows.map(function (r) { return r[0]; });
    var values = rows.map(function (r) { return Number(r[1]); });
    var category = { type: "category", data: categories, inverse: horizontal };
    var value = horizontal
      ? { type: "value", name: name, nameLocation: "middle", nameGap: 28 }
      : { type: "value", name: name };
    chart(id, {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, bottom: horizontal ? 32 : 8, top: 32, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", name: name, data: values, barMaxWidth: 32 }]
    });
  }

  function merchantDashboard(d, labels) {
    chart("chart-daily", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: d.daily.map(function (r) { return r[0]; }) },
      yAxis: [{ type: "value", name: labels.volume }, { type: "value", name: labels.sales }],
      series: [
        { type: "line", name: labels.volume, data: d.daily.map(function (r) { return Number(r[2]); }) },
        { type: "bar", name: labels.sales, yAxisIndex: 1, data: d.daily.map(function (r) { return r[1]; }) }
      ]
    });
    pie("chart-methods", d.methods);
    bars("chart-types", d.types.map(function (r) { return [r[0], r[2]]; }), labels.reports, false);
    bars("chart-terminals", d.terminals, labels.volume, true);
    var max = d.heatmap.reduce(function (m, r) { return Math.max(m, r[2]); }, 0);
    chart("chart-heatmap", {
      tooltip: { position: "top" },
      grid: { left: 8, right: 8, bottom: 56, top: 8, containLabel: true },
      xAxis: { type: "category", data: Array.from({ length: 24 }, function (_, h) { return String(h); }) },
      yAxis: { type: "category", data: labels.weekdays, inverse: true },
      visualMap: { min: 0, max: Math.max(max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0 },
      series: [{ type: "heatmap", name: labels.reports, data: d.heatmap }]
    });
  }

  function complianceOverview(d, labels) {
    chart("chart-rules", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, bottom: 32, top: 40, containLabel: true },
      xAxis: { type: "value", name: labels.alerts, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "category", data: d.rules, inverse: true },
      series: d.severities.map(function (s) {
        return { type: "bar", stack: "severity", name: s.label, data: s.counts, barMaxWidth: 32 };
      })
    });
    chart("chart-regions", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: d.regions.map(function (r) { return r[0]; }) },
      yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: labels.count }],
      series: [
        { type: "bar", name: labels.onTime, barMaxWidth: 32, data: d.regions.map(function (r) { return r[1] === null ? null : Number(r[1]); }) },
        { type: "bar", name: labels.late, barMaxWidth: 32, yAxisIndex: 1, data: d.regions.map(function (r) { return r[2]; }) },
        { type: "bar", name: labels.missing, barMaxWidth: 32, yAxisIndex: 1, data: d.regions.map(function (r) { return r[3]; }) }
      ]
    });
    bars("chart-risk", d.risk, labels.highAlerts, true);
    if (d.levels) {
      bars("chart-levels", d.levels, labels.merchants, false);
    }
  }

  function start() {
    var labels = data("dashboard-labels") || {};
    var merchant = data("dashboard-data");
    if (merchant) {
      merchantDashboard(merchant, labels);
    }
    var overview = data("overview-data");
    if (overview) {
      complianceOverview(overview, data("overview-labels") || {});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
