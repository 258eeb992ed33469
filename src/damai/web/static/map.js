// The map page (issue #13): events, citizen reports grouped per regency, and calls for help, on
// Leaflet with no tile server (faint province points give the shape). Data comes from the
// <script type="application/json" id="map-data"> block: data, not code. The time slider, the
// window of hours and the hazard and information filters redraw it in the browser.
"use strict";

(function () {
  var block = document.getElementById("map-data");
  var box = document.getElementById("event-map");
  if (!block || !box || !window.L) { return; }
  var data = JSON.parse(block.textContent);
  var L = window.L;
  var since = Date.parse(data.since);
  var map = L.map(box, { attributionControl: false, zoomSnap: 0.25 })
    .fitBounds([[-11.2, 94.8], [6.2, 141.2]]);
  data.provinces.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 2, color: "#9aa7b0", weight: 1, fillOpacity: 0.6,
                                     interactive: false, className: "map-province" }).addTo(map);
  });
  var layer = L.layerGroup().addTo(map);
  var controls = {
    until: document.getElementById("map-until"),
    hours: document.getElementById("map-hours"),
    hazard: document.getElementById("map-hazard"),
    info: document.getElementById("map-info")
  };
  var label = document.getElementById("map-until-label");
  var shown = document.getElementById("map-shown");

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  function tooltip(parts) {
    var span = document.createElement("span");
    span.textContent = parts.filter(function (p) { return p; }).join(" · ");
    return span;
  }

  function inWindow(time, end, hours) {
    var t = Date.parse(time);
    return t <= end && t > end - hours * 3600 * 1000;
  }

  function groups(reports) {
    var byName = {};
    reports.forEach(function (r) {
      var g = byName[r.cluster] || (byName[r.cluster] = { name: r.cluster, lat: r.lat, lon: r.lon,
                                                          n: 0, help: 0 });
      g.n += 1;
      if (r.call_for_help) { g.help += 1; }
    });
    return Object.keys(byName).map(function (k) { return byName[k]; });
  }

  function draw() {
    var end = Number(controls.until.value) >= Number(controls.until.max) ? Date.parse(data.until)
      : since + Number(controls.until.value) * 3600 * 1000;
    var hours = Number(controls.hours.value);
    var hazard = controls.hazard.value;
    var info = controls.info.value;
    label.textContent = new Date(end).toISOString().slice(0, 16).replace("T", " ") + " UTC";
    layer.clearLayers();
    var events = data.events.filter(function (e) {
      return inWindow(e.time, end, hours) && (!hazard || e.hazard === hazard);
    });
    var reports = data.reports.filter(function (r) {
      return inWindow(r.time, end, hours) && (!hazard || r.hazard === hazard) &&
        (!info || r.info.indexOf(info) >= 0);
    });
    var clusters = groups(reports);
    var help = 0;
    clusters.forEach(function (g) {
      L.circleMarker([g.lat, g.lon], {
        radius: 5 + 3 * Math.sqrt(g.n), color: "#2e86c1", weight: 1, fillColor: "#2e86c1",
        fillOpacity: 0.45, className: "map-report"
      }).bindTooltip(tooltip([g.name, g.n + " ✉"])).addTo(layer);
      if (g.help) {
        help += g.help;
        L.circleMarker([g.lat, g.lon], {
          radius: 4 + 3 * Math.sqrt(g.help), color: "#c0392b", weight: 3, fillColor: "#c0392b",
          fillOpacity: 0.8, className: "map-help"
        }).bindTooltip(tooltip([g.name, g.help + " SOS"])).addTo(layer);
      }
    });
    events.forEach(function (e) {
      L.circleMarker([e.lat, e.lon], {
        radius: 9, color: e.source === "citizen" ? "#7d3c98" : "#d68910", weight: 3,
        fill: false, dashArray: e.source === "citizen" ? "4 3" : null,
        className: "map-event map-event-" + text(e.source)
      }).bindTooltip(tooltip([e.headline || e.words, e.region, e.magnitude && "M " + e.magnitude,
                              e.time.slice(0, 16).replace("T", " ")])).addTo(layer);
    });
    shown.textContent = shown.getAttribute("data-template")
      .replace("{events}", events.length).replace("{reports}", reports.length)
      .replace("{help}", help);
    shown.setAttribute("data-events", events.length);
    shown.setAttribute("data-reports", reports.length);
    shown.setAttribute("data-help", help);
  }

  Object.keys(controls).forEach(function (k) {
    controls[k].addEventListener("input", draw);
    controls[k].addEventListener("change", draw);
  });
  draw();
})();
