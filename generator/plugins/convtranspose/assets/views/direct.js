// View 1, the direct (scatter) form: input X, kernel W and output Y side by side.

import { drawGrid, drawLegend } from "../grid.js";

export function renderDirect(panel, model, numbers) {
  const { h, w, kh, kw, H, W } = model;
  const oh = model.rows.o;
  const ow = model.cols.o;
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
    title: `Kernel W (${kh}×${kw})`, rows: kh, cols: kw, attr: "grid", name: "kernel", focusable: true,
    cells: cells(kh, kw, (a, b) => (numbers ? model.wv(a, b) : `${a},${b}`)),
  });
  drawGrid(panel, "output", {
    title: `Output Y (${H}×${W})`, rows: H, cols: W, attr: "grid", name: "output", focusable: true,
    cells: cells(H, W, (i, j) => (numbers ? model.y(i, j) : `${i},${j}`),
      (i, j) => (i >= H - oh || j >= W - ow ? "op" : "")).map((c) => (numbers ? { ...c, value: c.label } : c)),
  });
  const legend = [["legend-active", "the hovered cell and what it is linked to"],
    ["legend-pair", "a product x·w: each weight and the inputs it meets share a colour"],
    ["legend-pinned", "the pinned cell (click or Enter; Escape releases)"]];
  if (oh > 0 || ow > 0) legend.push(["op", `added by output_padding: the last ${oh} row(s) and ${ow} column(s)`]);
  drawLegend(panel, legend);
}
