// Loaded as a blocking script in <head>, before any stylesheet paints: applies the reader's saved
// colour scheme so a dark-mode reader never sees a white flash. With nothing saved, the page
// follows prefers-color-scheme through CSS alone.
(function () {
  try {
    var saved = window.localStorage.getItem("stride-theme");
    if (saved === "light" || saved === "dark") {
      document.documentElement.setAttribute("data-theme", saved);
    }
  } catch (err) {
    // Storage can be disabled (private windows, strict settings): the system preference applies.
  }
})();
