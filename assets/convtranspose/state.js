// The widget state in the URL hash: "#ct-<id>=h5.w5.k3.s2.p1.o1.d1" plus ".output-1-2" when a cell
// is pinned. Several widgets share one hash, as separate &-joined entries.

import { SLIDERS } from "./data.js";

const LETTERS = { height: "h", width: "w", kernel: "k", stride: "s", padding: "p", output_padding: "o", dilation: "d" };

function entries() {
  return new URLSearchParams(window.location.hash.slice(1));
}

export function readHash(id, ranges) {
  const raw = entries().get(`ct-${id}`);
  if (!raw) return null;
  const st = {};
  let pin = null;
  for (const part of raw.split(".")) {
    const pinned = /^(input|kernel|output)-(\d+)-(\d+)$/.exec(part);
    if (pinned) {
      pin = { grid: pinned[1], row: Number(pinned[2]), col: Number(pinned[3]) };
      continue;
    }
    const name = SLIDERS.find((n) => part.startsWith(LETTERS[n]) && /^\d+$/.test(part.slice(1)));
    if (name) st[name] = Number(part.slice(1));
  }
  for (const name of SLIDERS) {
    const [lo, hi] = ranges[name];
    if (!(name in st) || st[name] < lo || st[name] > hi) return null;
  }
  return { st, pin };
}

export function writeHash(id, st, pin, push) {
  const params = entries();
  let value = SLIDERS.map((n) => `${LETTERS[n]}${st[n]}`).join(".");
  if (pin) value += `.${pin.grid}-${pin.row}-${pin.col}`;
  params.set(`ct-${id}`, value);
  const hash = "#" + params.toString();
  if (hash === window.location.hash) return;
  const url = window.location.pathname + window.location.search + hash;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}
