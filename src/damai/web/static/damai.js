// Damai dashboard: the only script every page loads (besides vendored htmx). No inline scripts:
// the Content-Security-Policy allows scripts from this server only.
"use strict";

// htmx sends the session's CSRF token in a header on every request it makes.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
