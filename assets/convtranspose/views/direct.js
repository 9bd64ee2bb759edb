// View 1, the direct (scatter) form: input X, kernel W and output Y side by side.

import { drawGrid, drawLegend } from "../grid.js";

export function renderDirect(panel, model, numbers) {
  const { h, w, k, H, W, o } = model;
  const cells = (rows, cols, label, cls) => {
    const out = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.push({ row: r, col: c, label: label(r, c), cls: cls ? cls(r, c) : "" });
    return out;
  };
  drawGrid(panel, "input", {
    title: `Input X (${h}×${w})`, rows: h, cols: w, attr: "grid", name: "input", focusable: true,
    cells: cells(h, w, (a, b) => (numbers ? model.x(a, b) : `${a},${b}`)),
  });
  drawGrid(panel, "kernel", {
    title: `Kernel W (${k}×${k})`, rows: k, cols: k, attr: "grid", name: "kernel", focusable: true,
    cells: cells(k, k, (a, b) => (numbers ? model.wv(a, b) : `${a},${b}`)),
  });
  drawGrid(panel, "output", {
    title: `Output Y (${H}×${W})`, rows: H, cols: W, attr: "grid", name: "output", focusable: true,
    cells: cells(H, W, (i, j) => (numbers ? model.y(i, j) : `${i},${j}`),
      (i, j) => (i >= H - o || j >= W - o ? "op" : "")),
  });
  drawLegend(panel, o > 0
    ? [["legend-active", "the hovered cell and what it is linked to"], ["op", `last ${o} row(s) and column(s): added by output_padding`]]
    : [["legend-active", "the hovered cell and what it is linked to"]]);
}
