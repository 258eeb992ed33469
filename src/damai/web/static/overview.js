// The overview's chart (Chart.js) and province map (Leaflet, no tile server). Data comes from the
// <script type="application/json" id="overview-data"> block the page renders: data, not code.
"use strict";

(function () {
  var block = document.getElementById("overview-data");
  if (!block) { return; }
  var data = JSON.parse(block.textContent);
  var palette = ["#1f6f5c", "#c0392b", "#2e86c1", "#d68910", "#7d3c98", "#5d6d7e", "#117a65",
                 "#a04000", "#1a5276", "#b03a2e"];

  var canvas = document.getElementById("volume-chart");
  if (canvas && window.Chart && data.volume.series.length) {
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.volume.days,
        datasets: data.volume.series.map(function (s, i) {
          return { label: s.label, data: s.data, borderColor: palette[i % palette.length],
                   backgroundColor: palette[i % palette.length], tension: 0.2, pointRadius: 2 };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  var box = document.getElementById("province-map");
  if (box && window.L) {
    var map = window.L.map(box, { attributionControl: false, zoomSnap: 0.25 })
      .fitBounds([[-11.2, 94.8], [6.2, 141.2]]);
    var most = Math.max.apply(null, data.provinces.map(function (p) { return p.n; }).concat([1]));
    data.provinces.forEach(function (p) {
      window.L.circleMarker([p.lat, p.lon], {
        radius: 5 + 20 * Math.sqrt(p.n / most), color: "#1f6f5c", weight: 1,
        fillColor: "#1f6f5c", fillOpacity: 0.45
      }).bindTooltip(p.name + ": " + p.n).addTo(map);
    });
  }
})();
