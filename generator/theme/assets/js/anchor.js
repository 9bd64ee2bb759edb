// Keep one element at the top of the viewport while the page settles. Web fonts, MathJax and
// widgets that draw after load all change the height of what is above a link's target, so the
// browser's one jump to "#section" ends up hundreds of pixels off. Until the reader scrolls or
// types, every change of the page's size puts the target back; once fonts, MathJax and the
// window's load are done and the layout has been still for a moment, the hold ends.

let current = null;
const SETTLED_MS = 400; // layout unchanged this long after everything loaded: done
const GIVE_UP_MS = 10000; // never hold longer than this

function mathDone() {
  const startup = window.MathJax && window.MathJax.startup;
  return startup && startup.promise ? startup.promise.catch(() => {}) : Promise.resolve();
}

function loaded() {
  return document.readyState === "complete"
    ? Promise.resolve()
    : new Promise((resolve) => window.addEventListener("load", resolve, { once: true }));
}

/** Scroll `element` to the top (honouring its scroll-margin-top, so a sticky header can be allowed
 * for in CSS) and keep it there until the layout settles. A later call replaces an earlier one. */
export function holdAtTop(element) {
  if (current) current.release();
  const align = () => element.scrollIntoView({ block: "start", inline: "nearest", behavior: "instant" });
  let quiet = null;
  const resized = new ResizeObserver(() => {
    align();
    if (quiet !== null) {
      window.clearTimeout(quiet);
      quiet = window.setTimeout(release, SETTLED_MS);
    }
  });
  const stopEvents = ["wheel", "touchstart", "keydown", "pointerdown"];
  const giveUp = window.setTimeout(release, GIVE_UP_MS);
  const hold = { release };
  function release() {
    resized.disconnect();
    window.clearTimeout(giveUp);
    window.clearTimeout(quiet);
    for (const name of stopEvents) window.removeEventListener(name, release, true);
    if (current === hold) current = null;
  }
  for (const name of stopEvents) window.addEventListener(name, release, { capture: true, passive: true });
  resized.observe(document.documentElement);
  for (const node of document.querySelectorAll("[data-widget]")) resized.observe(node);
  current = hold;
  align();
  const fonts = document.fonts ? document.fonts.ready : Promise.resolve();
  Promise.all([loaded(), fonts, mathDone()]).then(() => {
    if (current !== hold) return;
    align();
    quiet = window.setTimeout(release, SETTLED_MS);
  });
  return hold;
}

/** The element the URL's fragment names, if any. */
export function fragmentTarget() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  return id ? document.getElementById(id) : null;
}
