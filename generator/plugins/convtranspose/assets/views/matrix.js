// View 3, the sparse matrix W̃ᵀ: one row per output cell, one column per input cell (row-major).

import { drawGrid, removeGrid } from "../grid.js";
import { axisOf, matrixNote } from "../notes.js";

const MAX_ROWS = 625;
const MAX_COLS = 144;

export function renderMatrix(panel, model, numbers) {
  const { h, w, H, W } = model;
  let note = panel.querySelector(".ct-note");
  if (!note) {
    note = document.createElement("p");
    note.className = "ct-note";
    panel.prepend(note);
  }
  if (H * W > MAX_ROWS || h * w > MAX_COLS) {
    removeGrid(panel, "matrix");
    note.textContent = `W̃ᵀ is ${H * W}×${h * w}: too large to draw legibly; reduce the sizes to see it.`;
    return;
  }
  note.textContent = `W̃ᵀ is ${H * W}×${h * w}: row i·${W}+j is output y[i,j], column a·${w}+b is input x[a,b]. ` +
    matrixNote(axisOf(model.rows), axisOf(model.cols),
      model.rows.scatter.map((taps) => taps.length), model.cols.scatter.map((taps) => taps.length));
  const cells = [];
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (const [a, ka] of model.rows.gather[i]) {
        for (const [b, kb] of model.cols.gather[j]) {
          cells.push({ row: i * W + j, col: a * w + b, label: numbers ? model.wv(ka, kb) : `${ka},${kb}`, title: `w[${ka},${kb}]` });
        }
      }
    }
  }
  drawGrid(panel, "matrix", { title: `W̃ᵀ (${H * W}×${h * w})`, rows: H * W, cols: h * w, attr: "matrix", name: "wt", cells,
    cellSize: "--ct-matrix-cell-size" });
}
