// View 4, overlap: how many products x·w feed each output cell. Uneven counts are the
// checkerboard; shading and the printed count both carry it, not hue alone.

import { drawGrid } from "../grid.js";
import { axisOf, overlapNote } from "../notes.js";

export function renderOverlap(panel, model) {
  const { H, W } = model;
  const rowCount = model.rows.count;
  const colCount = model.cols.count;
  const cells = [];
  let low = Infinity;
  let high = 0;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const count = rowCount[i] * colCount[j];
      low = Math.min(low, count);
      high = Math.max(high, count);
      cells.push({ row: i, col: j, count });
    }
  }
  for (const cell of cells) {
    const level = high === 0 ? 0 : Math.round((cell.count / high) * 5);
    cell.cls = `lvl lvl-${level}`;
    cell.label = cell.count;
    cell.title = `${cell.count} product(s)`;
  }
  drawGrid(panel, "overlap", { title: `Products per output cell (${low}–${high})`, rows: H, cols: W, attr: "mirror", name: "output", cells });
  let note = panel.querySelector(".ct-note");
  if (!note) {
    note = document.createElement("p");
    note.className = "ct-note";
    panel.append(note);
  }
  note.textContent = overlapNote(axisOf(model.rows), axisOf(model.cols), rowCount, colCount);
}
