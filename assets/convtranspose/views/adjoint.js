// View 5, the adjoint: the ordinary Conv2d with the same kernel, stride, padding and dilation,
// whose backward pass this ConvTranspose2d is. Its matrix C has one row per Conv2d output and one
// column per Conv2d input, i.e. per output cell y[i,j] of the transposed convolution, and
// conv_transpose2d(g) = Cᵀ g. Hovering y[i,j] (anywhere) lights column i·W′+j of C; hovering
// x[a,b] lights row a·w+b. Below it: every output size this Conv2d maps back to the input size,
// and the output_padding (or forward(x, output_size=…)) that picks each.

import { select } from "../../vendor/d3-selection-3.0.1/d3-selection.js";
import { axis, axisParams } from "../axes.js";
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

function argsText(st) {
  const pair = (name) => `(${axis(st, name, "h")}, ${axis(st, name, "w")})`;
  return `kernel_size=${pair("kernel")}, stride=${pair("stride")}, padding=${pair("padding")}, dilation=${pair("dilation")}`;
}

export function renderAdjoint(panel, model, numbers) {
  const st = model.st;
  const [h, kh, sh, ph, oh, dh] = axisParams(st, "h");
  const [w, kw, sw, pw, ow, dw] = axisParams(st, "w");
  const { H, W } = model;
  const rowsOut = convLength(H, kh, sh, ph, dh); // Conv2d output height for an H-tall input
  const colsOut = convLength(W, kw, sw, pw, dw);
  let intro = panel.querySelector(".ct-adjoint-intro");
  if (!intro) {
    intro = document.createElement("p");
    intro.className = "ct-note ct-adjoint-intro";
    panel.prepend(intro);
  }
  const extra = rowsOut > h || colsOut > w;
  intro.textContent = `Conv2d(1, 1, ${argsText(st)}) maps a ${H}×${W} input, the shape of Y, to ${rowsOut}×${colsOut}. ` +
    `Its matrix C (${rowsOut * colsOut}×${H * W}) has a row per Conv2d output and a column per Conv2d input, i.e. per ` +
    "cell of Y; ConvTranspose2d with the same arguments computes Cᵀ applied to its input, which is the backward " +
    "pass of this Conv2d. Hover a cell of Y to light its column of C, or an input cell x[a,b] to light row a·" +
    `${colsOut}+b.` + (extra
    ? ` Output padding ${oh >= sh ? oh : ow} is at least the stride here, so C has ${rowsOut * colsOut - h * w} more rows ` +
      `than X has cells (shaded): Y is larger than the Conv2d needs, and the transposed convolution is the ` +
      "backward pass of this Conv2d with those outputs dropped."
    : "");
  const out = [];
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) out.push({ row: i, col: j, label: numbers ? model.y(i, j) : `${i},${j}` });
  drawGrid(panel, "adjoint-output", { title: `Y, the ConvTranspose2d output (${H}×${W}) = the Conv2d input`, rows: H, cols: W, attr: "mirror", name: "output", cells: out });
  if (rowsOut * colsOut > MAX_ROWS || H * W > MAX_COLS) {
    removeGrid(panel, "adjoint");
  } else {
    const rowTaps = tapTable(rowsOut, H, kh, sh, ph, dh);
    const colTaps = tapTable(colsOut, W, kw, sw, pw, dw);
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
      rows: rowsOut * colsOut, cols: H * W, attr: "adjoint", name: "c", cells, focusable: false, maxWidth: 720 });
  }
  panel.dataset.convRows = rowsOut;
  panel.dataset.convCols = colsOut;
  renderSizes(panel, st, [h, kh, sh, ph, oh, dh], [w, kw, sw, pw, ow, dw], H, W);
}

function renderSizes(panel, st, rows, cols, H, W) {
  const lists = [["h", "height", rows, H], ["w", "width", cols, W]].map(([ax, word, [n, k, s, p, o, d], current]) => ({
    ax, word, n, o, s, current, sizes: sizesFor(n, k, s, p, d),
  }));
  const box = select(panel).selectAll("div.ct-sizes").data([lists]).join((enter) => {
    const div = enter.append("div").attr("class", "ct-sizes");
    div.append("p").attr("class", "ct-note");
    return div;
  });
  box.select("p").text("PyTorch's forward(x, output_size=(height, width)) accepts exactly the sizes this Conv2d maps " +
    `back to the ${st.height}×${st.width} input, and turns each into an output_padding:`);
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

/** Light the column of C for an output cell, or its row for an input cell. */
export function highlightAdjoint(root, model, resolved) {
  const panel = root.querySelector('[data-view="adjoint"]');
  const svg = select(panel).select('figure.ct-grid[data-key="adjoint"] svg');
  if (svg.empty()) return;
  const colsOut = Number(panel.dataset.convCols);
  const rowsOut = Number(panel.dataset.convRows);
  let band = null;
  if (resolved && resolved.kind === "output") {
    const col = resolved.row * model.W + resolved.col;
    band = { key: `c${col}`, x: col * CELL, y: 0, width: CELL, height: rowsOut * colsOut * CELL, col };
  } else if (resolved && resolved.kind === "input") {
    const row = resolved.row * colsOut + resolved.col;
    band = { key: `r${row}`, x: 0, y: row * CELL, width: model.H * model.W * CELL, height: CELL, row };
  }
  svg.selectAll("g.ct-cell").classed("lit", function () {
    return Boolean(band) && (Number(this.dataset.col) === band.col || Number(this.dataset.row) === band.row);
  });
  svg.selectAll("rect.ct-adjoint-band").data(band ? [band] : [], (b) => b.key)
    .join((enter) => enter.insert("rect", ":first-child").attr("class", "ct-adjoint-band").attr("aria-hidden", "true"))
    .attr("x", (b) => b.x).attr("y", (b) => b.y).attr("width", (b) => b.width).attr("height", (b) => b.height);
  panel.dataset.litColumn = band && band.col !== undefined ? band.col : "";
  panel.dataset.litRow = band && band.row !== undefined ? band.row : "";
}
