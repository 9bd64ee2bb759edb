// One grid of square cells in an SVG that scales with its viewBox. Cells are joined to data with
// D3's selection.join, keyed by position, so a slider move updates cells in place.

import { select } from "../vendor/d3-selection-3.0.1/d3-selection.js";

export const CELL = 26; // viewBox units per cell; CSS decides the on-screen size

/**
 * Draw (or update) the grid `key` inside `parent`.
 * spec: {title, rows, cols, cells: [{row, col, cls, label, title}], attr: "grid"|"mirror"|..., name,
 *        focusable: bool (default true: every grid is reachable with Tab)}
 * Returns the d3 selection of the cell groups.
 */
export function drawGrid(parent, key, spec) {
  const box = select(parent).selectAll(`figure.ct-grid[data-key="${key}"]`)
    .data([spec])
    .join((enter) => {
      const fig = enter.append("figure").attr("class", "ct-grid").attr("data-key", key);
      fig.append("figcaption");
      fig.append("svg").attr("role", "grid").attr("xmlns", "http://www.w3.org/2000/svg");
      return fig;
    });
  box.select("figcaption").text(spec.title);
  const width = Math.max(1, spec.cols) * CELL;
  const height = Math.max(1, spec.rows) * CELL;
  const svg = box.select("svg")
    .attr("viewBox", `-1 -1 ${width + 2} ${height + 2}`)
    .attr("aria-label", spec.title)
    .style("width", `${Math.min(width * 1.25, spec.maxWidth || 99999)}px`);
  const cells = svg.selectAll("g.ct-cell")
    .data(spec.cells, (c) => `${c.row},${c.col}`)
    .join((enter) => {
      const g = enter.append("g").attr("class", "ct-cell");
      g.append("rect").attr("width", CELL - 2).attr("height", CELL - 2).attr("x", 1).attr("y", 1).attr("rx", 3);
      g.append("text").attr("x", CELL / 2).attr("y", CELL / 2).attr("dy", "0.35em");
      g.append("title");
      return g;
    })
    .attr("transform", (c) => `translate(${c.col * CELL},${c.row * CELL})`)
    .attr("class", (c) => `ct-cell ${c.cls || ""}`.trim())
    .attr(`data-${spec.attr}`, spec.name)
    .attr("data-row", (c) => c.row)
    .attr("data-col", (c) => c.col);
  cells.select("text").text((c) => c.label ?? "").attr("class", (c) => (String(c.label ?? "").length > 2 ? "small" : null));
  cells.select("title").text((c) => c.title || "");
  if (spec.focusable !== false) {
    cells.attr("tabindex", -1).attr("role", "gridcell");
    // Roving tabindex: one cell per grid is in the tab order.
    const current = cells.filter((c) => c.row === (spec.cursor?.row ?? 0) && c.col === (spec.cursor?.col ?? 0));
    (current.empty() ? cells.filter((_, i) => i === 0) : current).attr("tabindex", 0);
  }
  return cells;
}

export function removeGrid(parent, key) {
  select(parent).selectAll(`figure.ct-grid[data-key="${key}"]`).remove();
}

export function signed(value) {
  return value < 0 ? `(−${-value})` : String(value);
}
