// View 2, the equivalent convolution: X′ (zeros inserted, bordered or cropped), the flipped and
// dilated kernel W′, and the output Y it produces with stride 1.

import { drawGrid, drawLegend } from "../grid.js";

const INSERTED = -2;
const BORDER = -1;

export function renderConv(panel, model, numbers) {
  const { kh, kw, H, W } = model;
  const rowKind = model.rows.kind;
  const colKind = model.cols.kind;
  const { d: dh, D: Dh, o: oh } = model.rows;
  const { d: dw, D: Dw, o: ow } = model.cols;
  const rows = rowKind.length;
  const cols = colKind.length;
  const cells = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const a = rowKind[r];
      const b = colKind[c];
      let cls;
      let label;
      if (a >= 0 && b >= 0) {
        cls = "in";
        label = numbers ? model.x(a, b) : `${a},${b}`;
      } else if (a === BORDER || b === BORDER) {
        cls = "pad";
        label = "";
        if ((r >= rows - oh && a === BORDER) || (c >= cols - ow && b === BORDER)) cls += " op";
      } else {
        cls = "zero";
        label = "0";
      }
      cells.push({ row: r, col: c, cls, label, title: cls.startsWith("in") ? `x[${a},${b}]` : cls.startsWith("pad") ? "border padding" : "inserted zero" });
    }
  }
  drawGrid(panel, "expanded", {
    title: `X′ (${rows}×${cols}): zeros inserted, border p′ = ${border(model.rows)} rows, ${border(model.cols)} columns`,
    rows, cols, attr: "grid", name: "expanded", focusable: true, cells,
  });
  const tall = Dh + 1;
  const wide = Dw + 1;
  const taps = [];
  for (let r = 0; r < tall; r++) {
    for (let c = 0; c < wide; c++) {
      if (r % dh === 0 && c % dw === 0) {
        const ka = kh - 1 - r / dh;
        const kb = kw - 1 - c / dw;
        taps.push({ row: r, col: c, cls: "tap", label: numbers ? model.wv(ka, kb) : `${ka},${kb}`, title: `w[${ka},${kb}]` });
      } else {
        taps.push({ row: r, col: c, cls: "hole", label: "", title: "dilation gap" });
      }
    }
  }
  drawGrid(panel, "flipped", {
    title: `W′: W rotated 180°${dh > 1 || dw > 1 ? `, dilated by ${dh === dw ? dh : `${dh}×${dw}`}` : ""} (${tall}×${wide})`,
    rows: tall, cols: wide, attr: "grid", name: "flipped", cells: taps,
  });
  const out = [];
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
    const value = numbers ? model.y(i, j) : undefined;
    out.push({ row: i, col: j, label: value ?? `${i},${j}`, value, cls: i >= H - oh || j >= W - ow ? "op" : "" });
  }
  drawGrid(panel, "conv-output", { title: `Y = X′ ⋆ W′, stride 1 (${H}×${W})`, rows: H, cols: W, attr: "mirror", name: "output", cells: out });
  cropped(panel, model);
  drawLegend(panel, LEGEND);
}

/** "1 / 2": border before / after (top / bottom for rows); negative means cropped. */
function border(axis) {
  return `${axis.pl} / ${axis.ph}`;
}

const LEGEND = [
  ["in", "input cell x[a,b]"],
  ["zero", "inserted zero (dashed)"],
  ["pad", "border padding (dotted)"],
  ["pad op", "border added by output_padding"],
  ["tap", "kernel tap of W′"],
];

function cropped(panel, model) {
  let note = panel.querySelector(".ct-cropped");
  if (!note) {
    note = document.createElement("p");
    note.className = "ct-cropped";
    panel.append(note);
  }
  const describe = (list, where) => (list.length ? `${list.length} ${where}` : "");
  const parts = [
    describe(model.rows.cropLow, "row(s) at the top"), describe(model.rows.cropHigh, "row(s) at the bottom"),
    describe(model.cols.cropLow, "column(s) on the left"), describe(model.cols.cropHigh, "column(s) on the right"),
  ].filter(Boolean);
  note.textContent = parts.length
    ? `Padding exceeds d(k−1), so p′ < 0: the zero-inserted input is cropped by ${parts.join(", ")}.`
    : "";
  note.hidden = !parts.length;
}
