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
  startup: {
    // An \eqref link's "(1)" is drawn by CSS, so it has no text a screen reader can name;
    // label each with its equation number once the page is typeset.
    pageReady() {
      return MathJax.startup.defaultPageReady().then(() => {
        const labels = Object.values(MathJax.startup.input[0].parseOptions.tags.allLabels || {});
        for (const link of document.querySelectorAll('mjx-container a[href^="#mjx-eqn"]')) {
          const id = decodeURIComponent(link.getAttribute("href").slice(1));
          const found = labels.find((label) => label.id === id);
          if (!link.hasAttribute("aria-label")) link.setAttribute("aria-label", found ? `Equation (${found.tag})` : "Equation");
        }
      });
    },
  },
  options: {
    // No right-click menu: its component is not vendored, and nothing should try to fetch it.
    enableMenu: false,
  },
};
