// Site-wide behaviour: the light/dark toggle, section links that land where they point, and
// keyboard access to code blocks that scroll. A module, so it runs after parsing and never blocks.
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

// A code block wider than the column scrolls sideways; to scroll it from the keyboard it must
// take focus. Only blocks that overflow join the tab order (checked again when the page resizes).
function focusableOverflow() {
  for (const pre of document.querySelectorAll("pre")) {
    const scrolls = pre.scrollWidth > pre.clientWidth || pre.scrollHeight > pre.clientHeight;
    if (scrolls && !pre.hasAttribute("tabindex")) pre.setAttribute("tabindex", "0");
    else if (!scrolls && pre.getAttribute("tabindex") === "0" && !pre.hasAttribute("data-pytorch")) pre.removeAttribute("tabindex");
  }
}
focusableOverflow();
window.addEventListener("resize", focusableOverflow);
