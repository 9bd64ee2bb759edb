// Site-wide behaviour: the light/dark toggle, and section links that land where they point.
// A module, so it runs after parsing and never blocks.
import { fragmentTarget, holdAtTop } from "./anchor.js";

const KEY = "stride-theme";
const root = document.documentElement;

function systemTheme() {
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function currentTheme() {
  return root.getAttribute("data-theme") || systemTheme();
}

function label(button) {
  const next = currentTheme() === "dark" ? "light" : "dark";
  button.setAttribute("aria-label", `Switch to ${next} theme`);
  button.setAttribute("aria-pressed", String(currentTheme() === "dark"));
  button.title = `Switch to ${next} theme`;
}

for (const button of document.querySelectorAll("[data-theme-toggle]")) {
  button.hidden = false;
  label(button);
  button.addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try {
      window.localStorage.setItem(KEY, next);
    } catch (err) {
      // Not persisted, but the page still switches.
    }
    label(button);
    // Widgets that draw with colours read from CSS listen for this.
    document.dispatchEvent(new CustomEvent("stride:themechange", { detail: { theme: next } }));
  });
}

// A link to a section ("/post/#checkerboards") lands on the heading once the page has settled,
// not where the heading was before fonts, math and widgets took their space.

const target = fragmentTarget();
if (target) holdAtTop(target);

