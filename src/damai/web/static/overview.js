// The overview's chart (Chart.js) and province choropleth (Leaflet, no tile server). Data comes
// from the <script type="application/json" id="overview-data"> block the page renders: data, not
// code. Every point and province opens the post list with its filters (issue #14 parts 3 and 4).
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
  function postsLink(filters) {
    return "/posts?" + new URLSearchParams(filters).toString();
  }
  function nextDay(day) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  var canvas = document.getElementById("volume-chart");
  if (canvas && window.Chart && data.volume.series.length) {
    var series = data.volume.series;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.volume.days,
        datasets: series.map(function (s) {
          var c = colour(s.kind);
          return { label: (s.names && s.names[lang]) || s.label, data: s.data, borderColor: c,
                   backgroundColor: c, borderDash: dashes[s.kind] || [], tension: 0.2,
                   pointRadius: 3, pointHoverRadius: 6, pointHitRadius: 8 };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        // a point opens that label's flagged posts of that (UTC) day
        onClick: function (event, elements) {
          if (!elements.length) { return; }
          var hit = elements[0];
          var day = data.volume.days[hit.index];
          window.location.href = postsLink({ label: series[hit.datasetIndex].label, since: day,
                                             until: nextDay(day) });
        },
        onHover: function (event, elements) {
          canvas.style.cursor = elements.length ? "pointer" : "default";
        }
      }
    });
  }

  // ColorBrewer YlGnBu, sequential and safe for the common colour blindnesses; zero is grey
  var steps = ["#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"];
  var zero = "#d9d9d9";
  function breaks(most) {
    var out = [];
    for (var k = 1; k <= steps.length; k += 1) {
      var top = Math.ceil(most * k / steps.length);
      if (!out.length || top > out[out.length - 1]) { out.push(top); }
    }
    return out;
  }
  function fill(n, tops) {
    if (!n) { return zero; }
    for (var k = 0; k < tops.length; k += 1) {
      if (n <= tops[k]) { return steps[k + steps.length - tops.length]; }
    }
    return steps[steps.length - 1];
  }

  function legend(map, tops, heading) {
    var control = window.L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = window.L.DomUtil.create("div", "map-legend");
      box.id = "province-legend";
      var title = document.createElement("strong");
      title.textContent = heading;
      box.appendChild(title);
      var rows = [[zero, "0"]];
      var low = 1;
      tops.forEach(function (top) {
        rows.push([fill(top, tops), low === top ? String(top) : low + "–" + top]);
        low = top + 1;
      });
      rows.forEach(function (row) {
        var line = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = row[0];
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(" " + row[1]));
        box.appendChild(line);
      });
      return box;
    };
    control.addTo(map);
  }

  function draw(box, shapes) {
    var counts = {};
    data.provinces.forEach(function (p) { counts[p.name] = p.n; });
    // a polygon also holds the provinces split from it after its boundaries were drawn
    function total(props) {
      return (props.includes || []).reduce(function (sum, name) { return sum + (counts[name] || 0); },
                                           counts[props.name] || 0);
    }
    var most = Math.max.apply(null, shapes.features.map(function (f) {
      return total(f.properties);
    }).concat([1]));
    var tops = breaks(most);
    var map = window.L.map(box, { attributionControl: false, zoomSnap: 0.25 })
      .fitBounds([[-11.2, 94.8], [6.2, 141.2]]);
    var shapesLayer = window.L.geoJSON(shapes, {
      style: function (f) {
        return { color: "#ffffff", weight: 1, fillColor: fill(total(f.properties), tops),
                 fillOpacity: 0.9 };
      },
      onEachFeature: function (f, layer) {
        var props = f.properties;
        var text = props.name + ": " + (counts[props.name] || 0);
        (props.includes || []).forEach(function (name) {
          text += " · " + name + ": " + (counts[name] || 0);
        });
        layer.bindTooltip(text, { sticky: true });
        layer.on("click", function () {
          window.location.href = postsLink({ province: props.name });
        });
      }
    }).addTo(map);
    shapesLayer.eachLayer(function (layer) {  // names for tests and assistive tools
      var el = layer.getElement();
      el.setAttribute("data-province", layer.feature.properties.name);
      el.setAttribute("aria-label", layer.getTooltip().getContent());
    });
    legend(map, tops, box.getAttribute("data-legend"));
    box.setAttribute("data-drawn", "1");
  }

  var box = document.getElementById("province-map");
  if (box && window.L && window.fetch) {
    window.fetch(box.getAttribute("data-geojson"))
      .then(function (r) { return r.json(); })
      .then(function (shapes) { draw(box, shapes); });
  }
})();
