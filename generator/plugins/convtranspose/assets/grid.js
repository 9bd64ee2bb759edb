// One grid of square cells in an SVG that scales with its viewBox. Cells are joined to data with
// D3's selection.join, keyed by position, so a slider move updates cells in place.

import { select } from "../../vendor/d3-selection-3.0.1/d3-selection.js";

export const CELL = 26; // viewBox units per cell; CSS decides the on-screen size

/**
 * Draw (or update) the grid `key` inside `parent`.
 * spec: {title, rows, cols, cells: [{row, col, cls, label, title, value}], attr: "grid"|"mirror"|..., name,
 *        focusable: bool (default true: every grid is reachable with Tab),
 *        cellSize: name of the CSS custom property giving a cell's on-screen size}
 * A cell's `value` (output cells in Numbers mode) goes into data-value, for tests and scripts that
 * read the numbers off the page; cells without one carry none.
 * Returns the d3 selection of the cell groups.
 */
export function drawGrid(parent, key, spec) {
  const box = select(parent).selectAll(`figure.ct-grid[data-key="${key}"]`)
    .data([spec])
    .join((enter) => {
      const fig = enter.append("figure").attr("class", "ct-grid").attr("data-key", key);
      fig.append("figcaption");
      fig.append("svg").attr("role", "group").attr("xmlns", "http://www.w3.org/2000/svg");
      return fig;
    });
  box.select("figcaption").text(spec.title);
  const width = Math.max(1, spec.cols) * CELL;
  const height = Math.max(1, spec.rows) * CELL;
  // Every grid draws its cells at one on-screen size (a CSS custom property, larger on phones
  // where a cell is a tap target), so X′ and W′ line up cell for cell; a grid wider than the
  // widget scrolls inside it instead of shrinking.
  const size = spec.cellSize || "--ct-cell-size";
  const svg = box.select("svg")
    .attr("viewBox", `-1 -1 ${width + 2} ${height + 2}`)
    .attr("aria-label", spec.title)
    .style("width", `calc(var(${size}) * ${(width + 2) / CELL})`)
    .style("height", `calc(var(${size}) * ${(height + 2) / CELL})`);
  const focusable = spec.focusable !== false;
  const cells = svg.selectAll("g.ct-cell")
    .data(spec.cells, (c) => `${c.row},${c.col}`)
    .join((enter) => {
      // Position, grid name and coordinates follow from the key, so they are written once.
      const g = enter.append("g")
        .attr("transform", (c) => `translate(${c.col * CELL},${c.row * CELL})`)
        .attr(`data-${spec.attr}`, spec.name)
        .attr("data-row", (c) => c.row)
        .attr("data-col", (c) => c.col);
      g.append("rect").attr("width", CELL - 2).attr("height", CELL - 2).attr("x", 1).attr("y", 1).attr("rx", 3);
      // No <title> tooltip: its text would count as visible text that the aria-label (which
      // carries the same words) does not contain, a label/name mismatch for speech input.
      g.append("text").attr("x", CELL / 2).attr("y", CELL / 2).attr("dy", "0.35em");
      // A button, not an ARIA gridcell: a gridcell needs row elements around it, which an SVG of
      // positioned cells does not have; each cell is a thing to focus, hover and press (pin).
      if (focusable) g.attr("tabindex", -1).attr("role", "button");
      return g;
    });
  // Only cells whose look changed are written: a slider step keeps most (row, col) cells as they
  // were, and attribute writes on thousands of SVG nodes are most of the cost of a redraw.
  cells.filter(function (c) {
    const look = `${c.cls || ""}\u0000${c.label ?? ""}\u0000${c.title || ""}\u0000${c.value ?? ""}`;
    if (this.__ctLook === look) return false;
    this.__ctLook = look;
    return true;
  })
    .attr("class", (c) => `ct-cell ${c.cls || ""}`.trim())
    .call((g) => g.select("text").text((c) => c.label ?? "")
      .attr("class", (c) => (String(c.label ?? "").length > 2 ? "small" : null)))
    .attr("aria-label", (c) => cellName(spec.name, c))
    .attr("data-value", (c) => c.value ?? null);
  if (focusable && svg.select('g.ct-cell[tabindex="0"]').empty()) {
    // Roving tabindex: one cell per grid is in the tab order; it stays where the arrow keys left
    // it unless a redraw removed it.
    cells.filter((_, i) => i === 0).attr("tabindex", 0);
  }
  return cells;
}

const SYMBOLS = { input: "x", kernel: "w", output: "y", expanded: "X′", flipped: "W′", wt: "W̃ᵀ" };

/** What a screen reader announces for a cell: its name, plus its value when one is shown. */
function cellName(grid, c) {
  const name = c.title || `${SYMBOLS[grid] || grid}[${c.row},${c.col}]`;
  const label = String(c.label ?? "");
  // A value is added only to plain names like "x[0,1]"; titles such as "3 product(s)" say it already.
  if (/^[−-]?\d+$/.test(label) && /^\S+\[\d+,\d+\]$/.test(name)) return `${name} = ${label}`;
  // The visible label is part of the name, so speech input can use what is on screen.
  return label && !name.includes(label) ? `${name}: ${label}` : name;
}

/** A legend of swatches drawn with the same classes as the cells: items are [classes, text]. */
export function drawLegend(parent, items) {
  const box = select(parent).selectAll("div.ct-legend").data([items]).join("div").attr("class", "ct-legend");
  const entries = box.selectAll("span.ct-legend-item")
    .data(items, (item) => item[0])
    .join((enter) => {
      const span = enter.append("span").attr("class", "ct-legend-item");
      const g = span.append("svg").attr("viewBox", "0 0 26 26").attr("width", 14).attr("height", 14)
        .attr("aria-hidden", "true").append("g");
      g.append("rect").attr("x", 1).attr("y", 1).attr("width", 24).attr("height", 24).attr("rx", 3);
      span.append("span");
      return span;
    });
  entries.select("g").attr("class", (item) => `ct-cell ${item[0]}`);
  entries.select("span").text((item) => item[1]);
}

export function removeGrid(parent, key) {
  select(parent).selectAll(`figure.ct-grid[data-key="${key}"]`).remove();
}

export function signed(value) {
  return value < 0 ? `(−${-value})` : String(value);
}
