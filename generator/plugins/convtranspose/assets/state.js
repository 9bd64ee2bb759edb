// The widget state in the URL's query: "?ct-<id>=h5.w5.k3.s2x1.p1.o1.d1" — a parameter written
// "k3" is linked (one value for both axes), "s2x1" is unlinked with height 2 and width 1. Then,
// optionally, ".tab-conv", ".numbers" and the pin ".output-1-2". Several widgets share the query
// as separate entries. The query, not the hash: the hash belongs to the page's section links,
// which must keep working (and keep scrolling) whatever the explorer records.

import { PARAMS } from "./data.js";

const LETTERS = { height: "h", width: "w", kernel: "k", stride: "s", padding: "p", output_padding: "o", dilation: "d" };

/** Older links kept the state in the hash ("#ct-<id>=..."): read those too. */
function raw(id) {
  const key = `ct-${id}`;
  return new URLSearchParams(window.location.search).get(key)
    || new URLSearchParams(window.location.hash.slice(1)).get(key);
}

/** {st, linked, tab, numbers, pin} from the URL, or null when absent or out of the ranges. */
export function readState(id, ranges, tabs) {
  const text = raw(id);
  if (!text) return null;
  const st = {};
  const linked = {};
  let pin = null;
  let tab = null;
  let numbers = false;
  for (const part of text.split(".")) {
    const pinned = /^(input|kernel|output)-(\d+)-(\d+)$/.exec(part);
    if (pinned) {
      pin = { grid: pinned[1], row: Number(pinned[2]), col: Number(pinned[3]) };
      continue;
    }
    const view = /^tab-([a-z]+)$/.exec(part);
    if (view && tabs.includes(view[1])) {
      tab = view[1];
      continue;
    }
    if (part === "numbers") {
      numbers = true;
      continue;
    }
    const value = /^([a-z])(\d+)(?:x(\d+))?$/.exec(part);
    if (!value) continue;
    const name = Object.keys(LETTERS).find((n) => LETTERS[n] === value[1]);
    if (!name) continue;
    if (name === "height" || name === "width") {
      if (value[3] === undefined) st[name] = Number(value[2]);
      continue;
    }
    st[`${name}_h`] = Number(value[2]);
    st[`${name}_w`] = Number(value[3] ?? value[2]);
    linked[name] = value[3] === undefined;
  }
  const inside = (name, v) => v !== undefined && v >= ranges[name][0] && v <= ranges[name][1];
  if (!inside("height", st.height) || !inside("width", st.width)) return null;
  for (const name of PARAMS) {
    if (!inside(name, st[`${name}_h`]) || !inside(name, st[`${name}_w`])) return null;
  }
  return { st, linked, tab, numbers, pin };
}

export function encodeState({ st, linked, tab, numbers, pin }) {
  const parts = [`h${st.height}`, `w${st.width}`];
  for (const name of PARAMS) {
    const h = st[`${name}_h`];
    const w = st[`${name}_w`];
    parts.push(linked[name] ? `${LETTERS[name]}${h}` : `${LETTERS[name]}${h}x${w}`);
  }
  if (tab) parts.push(`tab-${tab}`);
  if (numbers) parts.push("numbers");
  if (pin) parts.push(`${pin.grid}-${pin.row}-${pin.col}`);
  return parts.join(".");
}

/** Record the state of widget `id` in the query, replacing the current history entry: moving a
 * slider is not a navigation, so Back leaves the page as it always did. The hash is kept. */
export function writeState(id, value) {
  const params = new URLSearchParams(window.location.search);
  params.set(`ct-${id}`, encodeState(value));
  const search = "?" + params.toString().replace(/%2C/g, ",");
  if (search === window.location.search) return;
  window.history.replaceState(window.history.state, "", window.location.pathname + search + window.location.hash);
}
