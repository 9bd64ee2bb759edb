// The view: three rows of cells in one SVG. The input x with its zero padding on top, the kernel
// w laid over the inputs that the active output reads (dilated, so its taps sit d cells apart),
// and the outputs y below, each centred under the middle of its receptive field. Columns are
// padded input positions: column c holds x[c - p].

import { select } from "../../vendor/d3-selection-3.0.1/d3-selection.js";
import { inputAt } from "./data.js";

const CELL = 32; // px, one input position
const LABEL = 34; // px, the row names on the left
const ROW = { input: 8, kernel: 62, output: 140 }; // px, top of each row of cells
const HEIGHT = ROW.output + CELL + 8;

/** Draw `model` into `container` (once per slider setting); `onActive(i)` hears which output
 * is active. Returns `activate(i)` for the explorer (keyboard, a chosen start). */
export function renderStrip(container, model, onActive) {
  const root = select(container);
  const { n, k, s, p, d } = model;
  const columns = n + 2 * p;
  const left = (c) => LABEL + c * CELL;
  const svg = root.selectAll("svg").data([null]).join("svg")
    .attr("class", "c1-strip")
    .attr("viewBox", `0 0 ${LABEL + columns * CELL + 2} ${HEIGHT}`)
    .attr("width", LABEL + columns * CELL + 2)
    .attr("height", HEIGHT)
    .attr("role", "group")
    .attr("aria-label", `Input of length ${n} with padding ${p} on each side, kernel of ${k} taps, `
      + (model.valid ? `output of length ${model.L}` : "no output"));

  svg.selectAll("text.c1-row-name")
    .data([["x", ROW.input], ["w", ROW.kernel], ["y", ROW.output]])
    .join("text")
    .attr("class", "c1-row-name")
    .attr("x", LABEL / 2)
    .attr("y", ([, top]) => top + CELL / 2)
    .text(([name]) => name);

  const inputs = [];
  for (let j = -p; j < n + p; j++) inputs.push(j);
  svg.selectAll("g.c1-inputs").data([null]).join("g").attr("class", "c1-inputs").attr("data-role", "input")
    .selectAll("g.c1-cell")
    .data(inputs, (j) => j)
    .join((enter) => cell(enter))
    .classed("c1-pad", (j) => j < 0 || j >= n)
    .attr("data-index", (j) => j)
    .attr("transform", (j) => `translate(${left(j + p)},${ROW.input})`)
    .call((g) => g.select("title").text((j) => (j < 0 || j >= n ? `padding at ${j}: 0` : `x[${j}] = ${inputAt(model, j)}`)))
    .select("text").text((j) => inputAt(model, j));

  const kernelRow = svg.selectAll("g.c1-kernel").data([null]).join("g").attr("class", "c1-kernel")
    .attr("data-role", "kernel");
  const wires = svg.selectAll("g.c1-wires").data([null]).join("g").attr("class", "c1-wires");
  const outputsRow = svg.selectAll("g.c1-outputs").data([null]).join("g").attr("class", "c1-outputs")
    .attr("data-role", "output");

  const centre = (i) => left(s * i + (d * (k - 1)) / 2) + CELL / 2; // under the middle of the field
  const outputs = model.valid ? Array.from({ length: model.L }, (_, i) => i) : [];
  outputsRow.selectAll("g.c1-cell")
    .data(outputs, (i) => i)
    .join((enter) => cell(enter).attr("tabindex", 0))
    .attr("data-index", (i) => i)
    .attr("transform", (i) => `translate(${centre(i) - CELL / 2},${ROW.output})`)
    .attr("aria-label", (i) => `output y[${i}] = ${model.y[i]}`)
    .on("pointerenter focus", (_, i) => activate(i))
    .call((g) => g.select("title").text((i) => `y[${i}] = ${model.y[i]}`))
    .select("text").text((i) => model.y[i]);

  function activate(i) {
    const field = model.valid && i !== null ? model.field(i) : [];
    const tapOf = new Map(field.map(([j, t]) => [j, t]));
    svg.selectAll("g.c1-inputs g.c1-cell")
      .classed("c1-hit", (j) => tapOf.has(j))
      .attr("data-tap", (j) => (tapOf.has(j) ? tapOf.get(j) : null));
    outputsRow.selectAll("g.c1-cell").classed("c1-active", (o) => o === i);
    kernelRow.selectAll("g.c1-cell")
      .data(field, ([, t]) => t)
      .join((enter) => cell(enter))
      .attr("data-tap", ([, t]) => t)
      .attr("transform", ([j]) => `translate(${left(j + p)},${ROW.kernel})`)
      .call((g) => g.select("title").text(([j, t]) => `w[${t}] = ${model.w[t]}, meets ${j < 0 || j >= n ? "padding" : `x[${j}]`}`))
      .select("text").text(([, t]) => model.w[t]);
    wires.selectAll("line")
      .data(field, ([, t]) => t)
      .join("line")
      .attr("x1", ([j]) => left(j + p) + CELL / 2)
      .attr("y1", ROW.kernel + CELL)
      .attr("x2", centre(i))
      .attr("y2", ROW.output);
    onActive(i);
  }

  activate(outputs.length ? 0 : null);
  return activate;
}

/** A cell: a square with a value and a tooltip. */
function cell(enter) {
  const g = enter.append("g").attr("class", "c1-cell");
  g.append("rect").attr("width", CELL - 2).attr("height", CELL - 2).attr("x", 1).attr("y", 1).attr("rx", 3);
  g.append("text").attr("x", CELL / 2).attr("y", CELL / 2);
  g.append("title");
  return g;
}
