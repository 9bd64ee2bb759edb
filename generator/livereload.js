// Served by `stride serve` at /__stride/livereload.js and never written into build/. Listens for
// rebuilds and reloads the page, swaps stylesheets after CSS-only changes, and shows a failed
// build's messages over the page until the next good build.
(function () {
  "use strict";
  var OVERLAY_ID = "stride-build-error";

  function removeOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }

  function showOverlay(problems) {
    removeOverlay();
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:2147483647;max-height:60vh;" +
      "overflow:auto;background:#2b0d0d;color:#ffe9e9;border:2px solid #ff6b6b;border-radius:8px;" +
      "padding:1rem 1.25rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
      "box-shadow:0 8px 30px rgba(0,0,0,.4)";
    var title = document.createElement("strong");
    title.textContent = "Build failed — still showing the last good version. Fix the file and save:";
    box.append(title);
    var list = document.createElement("pre");
    // Every property the site's own pre styles could set is fixed here: the theme's code
    // background behind this pale text made it unreadable in light mode.
    list.style.cssText = "margin:.5rem 0 0;white-space:pre-wrap;background:transparent;color:inherit;" +
      "border:0;padding:0;font:inherit;box-shadow:none";
    list.textContent = problems.join("\n");
    box.append(list);
    (document.body || document.documentElement).append(box);
  }

  function swapStylesheets() {
    // Fingerprinted names change with the content, so read the new names from the fresh page.
    fetch(window.location.href, { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var next = Array.prototype.map.call(fresh.querySelectorAll('link[rel="stylesheet"]'), function (l) { return l.getAttribute("href"); });
        var current = document.querySelectorAll('link[rel="stylesheet"]');
        if (next.length !== current.length) { window.location.reload(); return; }
        Array.prototype.forEach.call(current, function (link, i) {
          if (link.getAttribute("href") !== next[i]) link.setAttribute("href", next[i]);
        });
      })
      .catch(function () { window.location.reload(); });
  }

  var source = new EventSource("/__stride/events");
  var seen = null; // "instance:version" of the site this page shows
  window.__strideEvents = [];
  ["hello", "reload", "css", "error"].forEach(function (name) {
    source.addEventListener(name, function (event) {
      var data = JSON.parse(event.data || "{}");
      window.__strideEvents.push(name);
      if (name === "hello") {
        var now = data.instance + ":" + data.version;
        // After a reconnect: a rebuild happened meanwhile, or the server was restarted.
        if (seen !== null && seen !== now) { window.location.reload(); return; }
        seen = now;
        return;
      }
      if (seen !== null && data.version !== undefined) seen = seen.split(":")[0] + ":" + data.version;
      if (name === "reload") { removeOverlay(); window.location.reload(); }
      else if (name === "css") { removeOverlay(); swapStylesheets(); }
      else if (name === "error") { showOverlay(data.problems || []); }
    });
  });
})();
