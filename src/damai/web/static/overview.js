// The overview's chart (Chart.js) and province map (Leaflet, no tile server). Data comes from the
// <script type="application/json" id="overview-data"> block the page renders: data, not code.
"use strict";

(function () {
  var block = document.getElementById("overview-data");
  if (!block) { return; }
  var data = JSON.parse(block.textContent);
  // Okabe-Ito colours, which people with the common colour blindnesses tell apart: warm ones for
  // harmful labels (solid lines), cool ones for informational labels (dashed), grey for signals
  var palettes = { harm: ["#D55E00", "#E69F00", "#CC79A7", "#882255", "#AA4499"],
                   info: ["#0072B2", "#009E73", "#56B4E9", "#332288"],
                   signal: ["#555555", "#999999"] };
  var dashes = { harm: [], info: [6, 4], signal: [2, 3] };
  var lang = document.documentElement.lang === "en" ? "en" : "id";
  var seen = { harm: 0, info: 0, signal: 0 };
  function colour(kind) {
    var family = palettes[kind] || palettes.harm;
    var n = seen[kind] || 0;
    seen[kind] = n + 1;
    return family[n % family.length];
  }

  var canvas = document.getElementById("volume-chart");
  if (canvas && window.Chart && data.volume.series.length) {
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.volume.days,
        datasets: data.volume.series.map(function (s) {
          var c = colour(s.kind);
          return { label: (s.names && s.names[lang]) || s.label, data: s.data, borderColor: c,
                   backgroundColor: c, borderDash: dashes[s.kind] || [], tension: 0.2,
                   pointRadius: 2 };
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
