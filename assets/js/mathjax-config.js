// MathJax 3 settings, read by vendor/mathjax-3.2.2/es5/startup.js (loaded right after this file).
// Only the components we vendor are loaded: TeX input with the AMS package, CommonHTML output.
// The Markdown layer (arithmatex, generic mode) writes \( .. \) for inline and \[ .. \] or a bare
// AMS environment for display math, so those are the only delimiters: a "$5" in prose stays text.
window.MathJax = {
  loader: {
    load: ["input/tex-base", "[tex]/ams", "output/chtml"],
  },
  tex: {
    packages: ["base", "ams"],
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: false,
    processEnvironments: true,
    processRefs: true,
    tags: "ams",
  },
  chtml: {
    // Long formulas scroll instead of shrinking (see .arithmatex in site.css).
    matchFontHeight: true,
  },
  options: {
    // No right-click menu: its component is not vendored, and nothing should try to fetch it.
    enableMenu: false,
  },
};
