// View 5, the adjoint: the ordinary Conv2d with the same kernel, stride, padding and dilation,
// whose backward pass this ConvTranspose2d is. Its matrix C has one row per Conv2d output and one
// column per Conv2d input, i.e. per output cell y[i,j] of the transposed convolution, and
// conv_transpose2d(g) = Cᵀ g. Hovering y[i,j] (anywhere) lights column i·W′+j of C; hovering
// x[a,b] lights row a·w+b, and hovering w[ka,kb] lights its entries; every lit entry takes the hue
// of its kernel tap, as the products do in the other views. Below it: every output size this Conv2d maps back to the input size,
// and the output_padding (or forward(x, output_size=…)) that picks each.

import { select } from "../../../vendor/d3-selection-3.0.1/d3-selection.js";
import { tapHue } from "../data.js";
import { CELL, drawGrid, removeGrid } from "../grid.js";

const MAX_ROWS = 144;
const MAX_COLS = 625;

/** Conv2d output length for input length m (PyTorch's floor formula). */
function convLength(m, k, s, p, d) {
  return Math.floor((m + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** taps[a][i] = kernel tap linking Conv2d output a to input i (i = a·s − p + ka·d), or −1. */
function tapTable(nOut, nIn, k, s, p, d) {
  const table = [];
  for (let a = 0; a < nOut; a++) {
    const row = new Array(nIn).fill(-1);
    for (let ka = 0; ka < k; ka++) {
      const i = a * s - p + ka * d;
      if (i >= 0 && i < nIn) row[i] = ka;
    }
    table.push(row);
  }
  return table;
}

/** Every input length Conv2d maps to n, with the output_padding that picks it: [{size, op}]. */
export function sizesFor(n, k, s, p, d) {
  const smallest = (n - 1) * s - 2 * p + d * (k - 1) + 1;
  const out = [];
  for (let op = 0; op < s; op++) if (smallest + op >= 1) out.push({ size: smallest + op, op });
  return out;
}

/** "kernel_size=(3, 2), ...": the Conv2d's arguments as PyTorch's per-axis tuples. */
function argsText(rows, cols) {
  const pair = (key) => `(${rows[key]}, ${cols[key]})`;
  return `kernel_size=${pair("k")}, stride=${pair("s")}, padding=${pair("p")}, dilation=${pair("d")}`;
}

export function renderAdjoint(panel, model, numbers) {
  const { rows, cols, h, w, H, W } = model;
  const rowsOut = convLength(H, rows.k, rows.s, rows.p, rows.d); // Conv2d output height for an H-tall input
  const colsOut = convLength(W, cols.k, cols.s, cols.p, cols.d);
  let intro = panel.querySelector(".ct-adjoint-intro");
  if (!intro) {
    intro = document.createElement("p");
    intro.className = "ct-note ct-adjoint-intro";
    panel.prepend(intro);
  }
  const extra = rowsOut > h || colsOut > w;
  const beyond = [["height", rows], ["width", cols]].filter(([, ax]) => ax.o >= ax.s)
    .map(([word, ax]) => `${ax.o} ≥ stride ${ax.s} along the ${word}`);
  intro.textContent = `Conv2d(1, 1, ${argsText(rows, cols)}) maps a ${H}×${W} input, the shape of Y, to ${rowsOut}×${colsOut}. ` +
    `Its matrix C (${rowsOut * colsOut}×${H * W}) has a row per Conv2d output and a column per Conv2d input, i.e. per ` +
    "cell of Y; ConvTranspose2d with the same arguments computes Cᵀ applied to its input, which is the backward " +
    "pass of this Conv2d. Hover a cell of Y to light its column of C, or an input cell x[a,b] to light row a·" +
    `${colsOut}+b.` + (extra
    ? ` Output padding ${beyond.join(" and ")} here, so C has ${rowsOut * colsOut - h * w} more rows ` +
      `than X has cells (shaded): Y is larger than the Conv2d needs, and the transposed convolution is the ` +
      "backward pass of this Conv2d with those outputs dropped."
    : "");
  const out = [];
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
    const value = numbers ? model.y(i, j) : undefined;
    out.push({ row: i, col: j, label: value ?? `${i},${j}`, value, cls: i >= H - rows.o || j >= W - cols.o ? "op" : "" });
  }
  drawGrid(panel, "adjoint-output", { title: `Y, the ConvTranspose2d output (${H}×${W}) = the Conv2d input`, rows: H, cols: W, attr: "mirror", name: "output", cells: out });
  if (rowsOut * colsOut > MAX_ROWS || H * W > MAX_COLS) {
    removeGrid(panel, "adjoint");
  } else {
    const rowTaps = tapTable(rowsOut, H, rows.k, rows.s, rows.p, rows.d);
    const colTaps = tapTable(colsOut, W, cols.k, cols.s, cols.p, cols.d);
    const cells = [];
    for (let a = 0; a < rowsOut; a++) {
      for (let b = 0; b < colsOut; b++) {
        const outside = a >= h || b >= w;
        for (let i = 0; i < H; i++) {
          const ka = rowTaps[a][i];
          if (ka < 0) continue;
          for (let j = 0; j < W; j++) {
            const kb = colTaps[b][j];
            if (kb < 0) continue;
            cells.push({ row: a * colsOut + b, col: i * W + j, cls: outside ? "op" : "",
              label: numbers ? model.wv(ka, kb) : `${ka},${kb}`, title: `w[${ka},${kb}]` });
          }
        }
      }
    }
    drawGrid(panel, "adjoint", { title: `C (${rowsOut * colsOut}×${H * W}): row a·${colsOut}+b is Conv2d output [a,b], column i·${W}+j is y[i,j]`,
      rows: rowsOut * colsOut, cols: H * W, attr: "adjoint", name: "c", cells, focusable: false,
      cellSize: "--ct-matrix-cell-size" });
  }
  panel.dataset.convRows = rowsOut;
  panel.dataset.convCols = colsOut;
  renderSizes(panel, model);
}

function renderSizes(panel, { rows, cols, h, w }) {
  const lists = [["h", "height", rows], ["w", "width", cols]].map(([ax, word, { n, k, s, p, o, d, L }]) => ({
    ax, word, n, o, s, current: L, sizes: sizesFor(n, k, s, p, d),
  }));
  const box = select(panel).selectAll("div.ct-sizes").data([lists]).join((enter) => {
    const div = enter.append("div").attr("class", "ct-sizes");
    div.append("p").attr("class", "ct-note");
    return div;
  });
  box.select("p").text("PyTorch's forward(x, output_size=(height, width)) accepts exactly the sizes this Conv2d maps " +
    `back to the ${h}×${w} input, and turns each into an output_padding:`);
  const items = box.selectAll("ul").data(lists, (l) => l.ax).join("ul").attr("data-axis", (l) => l.ax);
  items.selectAll("li").data((l) => [...l.sizes.map((x) => ({ ...l, ...x })), ...(l.o >= l.s ? [{ ...l, beyond: true }] : [])])
    .join("li")
    .attr("data-size", (x) => (x.beyond ? null : x.size))
    .attr("data-output-padding", (x) => (x.beyond ? null : x.op))
    .classed("ct-current", (x) => !x.beyond && x.size === x.current)
    .text((x) => (x.beyond
      ? `This setting's ${x.word} ${x.current} (output_padding ${x.o} ≥ stride ${x.s}) is not one of them: Conv2d maps it to ` +
        `${x.n + Math.floor(x.o / x.s)}, and output_size= refuses it.`
      : `${x.word} ${x.size}: output_padding ${x.op}` + (x.size === x.current ? " (this setting)" : "")));
}

/** Light what `resolved` (an input, kernel or output cell, or null) touches in C: the column of an
 * output cell, the row of an input cell, every entry of a kernel tap; each lit entry in the hue
 * of its tap. Returns nothing; the previous marks are cleared first. */
export function highlightAdjoint(root, model, resolved) {
  const panel = root.querySelector('[data-view="adjoint"]');
  const svg = select(panel).select('figure.ct-grid[data-key="adjoint"] svg');
  if (svg.empty()) return;
  const { rows, cols, H, W } = model;
  const colsOut = Number(panel.dataset.convCols);
  const rowsOut = Number(panel.dataset.convRows);
  let band = null;
  let lit = () => false;
  if (resolved && resolved.kind === "output") {
    const col = resolved.row * W + resolved.col;
    band = { key: `c${col}`, x: col * CELL, y: 0, width: CELL, height: rowsOut * colsOut * CELL, col };
    lit = (r, c) => c === col;
  } else if (resolved && resolved.kind === "input") {
    const row = resolved.row * colsOut + resolved.col;
    band = { key: `r${row}`, x: 0, y: row * CELL, width: H * W * CELL, height: CELL, row };
    lit = (r) => r === row;
  } else if (resolved && resolved.kind === "kernel") {
    lit = (r, c) => {
      const [ka, kb] = tapOf(model, colsOut, r, c);
      return ka === resolved.row && kb === resolved.col;
    };
  }
  svg.selectAll("g.ct-cell").each(function () {
    const r = Number(this.dataset.row);
    const c = Number(this.dataset.col);
    const on = lit(r, c);
    this.classList.toggle("lit", on);
    this.classList.toggle("pair", on);
    if (on) this.style.setProperty("--ct-hue", tapHue(rows.k, cols.k, ...tapOf(model, colsOut, r, c)));
    else this.style.removeProperty("--ct-hue");
  });
  svg.selectAll("rect.ct-adjoint-band").data(band ? [band] : [], (b) => b.key)
    .join((enter) => enter.insert("rect", ":first-child").attr("class", "ct-adjoint-band").attr("aria-hidden", "true"))
    .attr("x", (b) => b.x).attr("y", (b) => b.y).attr("width", (b) => b.width).attr("height", (b) => b.height);
  panel.dataset.litColumn = band && band.col !== undefined ? band.col : "";
  panel.dataset.litRow = band && band.row !== undefined ? band.row : "";
}

/** The kernel tap [ka, kb] of entry (r, c) of C: Conv2d output [a, b] = r, input y[i, j] = c, and
 * i = a·s − p + ka·d along the rows (the same along the columns). Only drawn entries are asked. */
function tapOf({ rows, cols, W }, colsOut, r, c) {
  const ka = (Math.floor(c / W) - Math.floor(r / colsOut) * rows.s + rows.p) / rows.d;
  const kb = ((c % W) - (r % colsOut) * cols.s + cols.p) / cols.d;
  return [ka, kb];
}
