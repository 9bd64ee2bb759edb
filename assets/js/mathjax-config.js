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
  startup: {
    ready() {
      MathJax.startup.defaultReady();
      adoptMathStyles(MathJax.startup);
    },
  },
};

// CommonHTML output draws every glyph from CSS rules it writes into a <style> element in <head>.
// A Content-Security-Policy with style-src 'self' (no 'unsafe-inline') blocks that element and
// the maths vanishes. A constructed stylesheet is not inline markup, so the same rules go into
// one CSSStyleSheet adopted by the document; the rules MathJax adds later for newly used
// characters (it calls adaptor.insertRules on its <style>) are sent there too. Browsers without
// constructed stylesheets keep MathJax's own <style>, which works wherever inline styles may.
function adoptMathStyles(startup) {
  if (!("adoptedStyleSheets" in Document.prototype) || !("replaceSync" in CSSStyleSheet.prototype)) {
    return;
  }
  const sheet = new CSSStyleSheet();
  const isMathJaxSheet = (node) => node && node.id === "MJX-CHTML-styles";
  const adaptor = startup.adaptor;
  const insertRules = adaptor.insertRules.bind(adaptor);
  adaptor.insertRules = (node, rules) => {
    if (!isMathJaxSheet(node)) {
      return insertRules(node, rules);
    }
    // MathJax inserts each rule at index 0 walking the list backwards; the same keeps its order.
    for (const rule of rules.slice().reverse()) {
      try {
        sheet.insertRule(rule, 0);
      } catch (error) {
        console.warn(`MathJax CSS rule not understood: ${rule}`);
      }
    }
  };
  let adopted = false;
  startup.document.addStyleSheet = function addStyleSheet() {
    const element = this.documentStyleSheet(); // built by MathJax, never put into the page
    if (!adopted && isMathJaxSheet(element)) {
      sheet.replaceSync(element.textContent);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      adopted = true;
    }
  };
}
