// MathJax 3 settings, read by vendor/mathjax-3.2.2/es5/startup.js (loaded right after this file).
//
// TeX input as al-folio writers know it: base + AMS always, every other TeX extension on demand.
// MathJax's autoload extension fetches a package (boldsymbol, newcommand/\def, color, cancel,
// mhchem, braket, bbox, unicode, ...) the first time a page uses one of its macros, so a page
// pays only for what it uses. `loader.paths.mathjax` is the vendored folder under the site's
// base URL (the page passes it in data-root), so every such fetch stays on the site.
//
// The Markdown layer (arithmatex, generic mode) writes \( .. \) for inline and \[ .. \] or a bare
// AMS environment for display math, so those are the only delimiters: a "$5" in prose stays text.
(function () {
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var macros = {};
  try {
    macros = JSON.parse(data.macros || "{}");
  } catch (error) {
    console.warn("Stride: math macros from site.yml could not be read", error);
  }
  var load = ["input/tex-base", "[tex]/ams", "[tex]/require", "[tex]/autoload", "output/chtml"];
  var packages = ["base", "ams", "require", "autoload"];
  if (Object.keys(macros).length) {
    // Site-wide macros (math: macros: in site.yml) need the small configmacros package.
    load.push("[tex]/configmacros");
    packages.push("configmacros");
  }
  var config = {
    loader: { load: load },
    tex: {
      packages: packages,
      inlineMath: [["\\(", "\\)"]],
      displayMath: [["\\[", "\\]"]],
      processEscapes: false,
      processEnvironments: true,
      processRefs: true,
      tags: "ams",
      macros: macros,
      // MathJax's own autoload table leaves these packages to \require; they only define new
      // names (autoload never replaces a macro that is already defined), so they load on first
      // use too. The names are the command and environment maps of the vendored files
      // (tests/theme/test_mathjax_full.py checks that each one is there).
      autoload: {
        mathtools: [["shoveleft", "shoveright", "xleftrightarrow", "xLeftarrow", "xRightarrow", "xLeftrightarrow", "xhookleftarrow", "xhookrightarrow", "xmapsto", "xrightharpoondown", "xleftharpoondown", "xrightleftharpoons", "xrightharpoonup", "xleftharpoonup", "xleftrightharpoons", "mathllap", "mathrlap", "mathclap", "clap", "textllap", "textrlap", "textclap", "cramped", "crampedllap", "crampedrlap", "crampedclap", "crampedsubstack", "mathmbox", "mathmakebox", "overbracket", "underbracket", "refeq", "MoveEqLeft", "Aboxed", "ArrowBetweenLines", "vdotswithin", "shortvdotswithin", "MTFlushSpaceAbove", "MTFlushSpaceBelow", "DeclarePairedDelimiter", "DeclarePairedDelimiterX", "DeclarePairedDelimiterXPP", "DeclarePairedDelimiters", "DeclarePairedDelimitersX", "DeclarePairedDelimitersXPP", "centercolon", "ordinarycolon", "MTThinColon", "coloneqq", "Coloneqq", "coloneq", "Coloneq", "eqqcolon", "Eqqcolon", "eqcolon", "Eqcolon", "colonapprox", "Colonapprox", "colonsim", "Colonsim", "dblcolon", "nuparrow", "ndownarrow", "bigtimes", "splitfrac", "splitdfrac", "xmathstrut", "prescript", "newtagform", "renewtagform", "usetagform", "adjustlimits", "mathtoolsset"], ["dcases", "rcases", "drcases", "dcases*", "rcases*", "drcases*", "cases*", "matrix*", "pmatrix*", "bmatrix*", "Bmatrix*", "vmatrix*", "Vmatrix*", "smallmatrix*", "psmallmatrix", "psmallmatrix*", "bsmallmatrix", "bsmallmatrix*", "Bsmallmatrix", "Bsmallmatrix*", "vsmallmatrix", "vsmallmatrix*", "Vsmallmatrix", "Vsmallmatrix*", "crampedsubarray", "multlined", "spreadlines", "lgathered", "rgathered"]],
        empheq: [["empheqlbrace", "empheqrbrace", "empheqlbrack", "empheqrbrack", "empheqlangle", "empheqrangle", "empheqlparen", "empheqrparen", "empheqlvert", "empheqrvert", "empheqlVert", "empheqrVert", "empheqlfloor", "empheqrfloor", "empheqlceil", "empheqrceil", "empheqbiglbrace", "empheqbigrbrace", "empheqbiglbrack", "empheqbigrbrack", "empheqbiglangle", "empheqbigrangle", "empheqbiglparen", "empheqbigrparen", "empheqbiglvert", "empheqbigrvert", "empheqbiglVert", "empheqbigrVert", "empheqbiglfloor", "empheqbigrfloor", "empheqbiglceil", "empheqbigrceil", "empheql", "empheqr", "empheqbigl", "empheqbigr"], ["empheq"]],
        cases: [[], ["numcases", "subnumcases"]],
        centernot: [["centerOver", "centernot"], []],
        gensymb: [["ohm", "degree", "celsius", "perthousand", "micro"], []],
        upgreek: [["upalpha", "upbeta", "upgamma", "updelta", "upepsilon", "upzeta", "upeta", "uptheta", "upiota", "upkappa", "uplambda", "upmu", "upnu", "upxi", "upomicron", "uppi", "uprho", "upsigma", "uptau", "upupsilon", "upphi", "upchi", "uppsi", "upomega", "upvarepsilon", "upvartheta", "upvarpi", "upvarrho", "upvarsigma", "upvarphi", "Upgamma", "Updelta", "Uptheta", "Uplambda", "Upxi", "Uppi", "Upsigma", "Upupsilon", "Upphi", "Uppsi", "Upomega"], []],
      },
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
      ready: function () {
        MathJax.startup.defaultReady();
        adoptMathStyles(MathJax.startup);
      },
      // An \eqref link's "(1)" is drawn by CSS, so it has no text a screen reader can name;
      // label each with its equation number once the page is typeset.
      pageReady: function () {
        return MathJax.startup.defaultPageReady().then(labelEquationLinks);
      },
    },
  };
  if (data.root) {
    config.loader.paths = { mathjax: data.root };
  }
  window.MathJax = config;
})();

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

function labelEquationLinks() {
  const labels = Object.values(MathJax.startup.input[0].parseOptions.tags.allLabels || {});
  for (const link of document.querySelectorAll('mjx-container a[href^="#mjx-eqn"]')) {
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    const found = labels.find((label) => label.id === id);
    if (!link.hasAttribute("aria-label")) link.setAttribute("aria-label", found ? `Equation (${found.tag})` : "Equation");
  }
}
