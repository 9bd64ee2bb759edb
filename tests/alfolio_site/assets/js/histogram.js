// A classic (non-module) script: draws bars into every .plot-frame on the page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var frames = document.querySelectorAll(".plot-frame");
  for (var i = 0; i < frames.length; i++) {
    frames[i].setAttribute("data-ready", "true");
    frames[i].textContent = "[" + frames[i].getAttribute("data-plot") + "]";
  }
});
