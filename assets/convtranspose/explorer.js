// One explorer: reads the controls, loads and decodes the data for the state, draws every view,
// and links hover/focus/pin across the grids. All arithmetic comes decoded from the JSON.

import { select } from "../vendor/d3-selection-3.0.1/d3-selection.js";
import { DataSource, SLIDERS, contributionsOf, decode, footprintOf, linksOf } from "./data.js";
import { CELL, signed } from "./grid.js";
import { markValues, pytorchSnippet, showSnippet } from "./snippet.js";
import { readHash, writeHash } from "./state.js";
import { highlightAdjoint, renderAdjoint } from "./views/adjoint.js";
import { renderConv } from "./views/conv.js";
import { renderDirect } from "./views/direct.js";
import { renderMatrix } from "./views/matrix.js";
import { renderOverlap } from "./views/overlap.js";

const GRIDS = ["input", "kernel", "output", "expanded", "flipped"];

export class Explorer {
  constructor(root) {
    this.root = root;
    this.id = root.dataset.widgetId;
    this.data = new DataSource(root.dataset.manifest);
    this.inputs = Object.fromEntries(SLIDERS.map((name) => [name, root.querySelector(`input[name="${name}"]`)]));
    this.panels = Object.fromEntries([...root.querySelectorAll("[data-view]")].map((p) => [p.dataset.view, p]));
    this.formulaEl = root.querySelector('[data-role="formula"]');
    this.shapeEl = root.querySelector('[data-role="shape"]');
    this.problemEl = root.querySelector('[data-role="problem"]');
    this.numbersEl = root.querySelector('[data-role="numbers"]');
    this.model = null;
    this.pin = null;
    this.token = 0;
  }

  async start() {
    this.root.classList.add("ct-live");
    this.manifest = await this.loadManifest();
    if (!this.manifest) return;
    const fromHash = readHash(this.id, this.manifest.ranges);
    if (fromHash) {
      this.setControls(fromHash.st);
      this.pin = fromHash.pin;
    }
    this.bind();
    await this.show(false);
  }

  async loadManifest() {
    try {
      return await this.data.manifest();
    } catch (error) {
      this.fail(`Could not load the explorer's data (${error.message}).`);
      return null;
    }
  }

  state() {
    return Object.fromEntries(SLIDERS.map((name) => [name, Number(this.inputs[name].value)]));
  }

  setControls(st) {
    for (const name of SLIDERS) {
      this.inputs[name].value = st[name];
      this.root.querySelector(`[data-role="value-${name}"]`).textContent = st[name];
    }
  }

  bind() {
    for (const name of SLIDERS) {
      const input = this.inputs[name];
      input.addEventListener("input", () => {
        this.root.querySelector(`[data-role="value-${name}"]`).textContent = input.value;
        this.requestShow();
      });
      input.addEventListener("change", () => this.recordHash(true));
    }
    window.addEventListener("popstate", () => this.fromLocation());
    window.addEventListener("hashchange", () => this.fromLocation());
    this.numbersEl.addEventListener("change", () => this.model && this.draw(this.model));
    this.root.querySelector('[data-role="copy"]').addEventListener("click", () => this.copy());
    this.root.querySelector('[data-role="retry"]').addEventListener("click", () => this.retry());
    this.root.querySelector('[data-role="fix"]').addEventListener("click", () => {
      if (!this.nearest) return;
      this.setControls(this.nearest);
      this.show(true);
    });
    for (const tab of this.root.querySelectorAll("[data-tab]")) {
      tab.addEventListener("click", () => this.selectTab(tab.dataset.tab));
      tab.addEventListener("keydown", (event) => this.tabKeys(event));
    }
    const views = this.root.querySelector(".ct-views");
    views.addEventListener("pointerover", (event) => this.hoverEvent(event));
    views.addEventListener("mouseover", (event) => this.hoverEvent(event));
    views.addEventListener("focusin", (event) => this.hoverEvent(event));
    views.addEventListener("pointerleave", () => this.highlight(this.pin));
    views.addEventListener("mouseleave", () => this.highlight(this.pin));
    views.addEventListener("click", (event) => {
      const target = cellOf(event.target);
      if (target) this.togglePin(target);
    });
    views.addEventListener("keydown", (event) => this.cellKeys(event));
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.setPin(null);
    });
  }

  fromLocation() {
    const found = readHash(this.id, this.manifest.ranges);
    if (!found) return;
    const same = SLIDERS.every((n) => found.st[n] === Number(this.inputs[n].value));
    this.pin = found.pin;
    if (same && this.model) {
      this.highlight(this.pin);
      return;
    }
    this.setControls(found.st);
    this.show(false, false);
  }

  /** Draw at most once per frame: a drag fires input events faster than a large state draws.
   * The first event of a frame draws at once (no added latency); later ones are folded into one
   * draw at the next frame, and data-state says "loading" until then. */
  requestShow() {
    if (this.frameOpen) {
      this.pending = true;
      this.token++; // a fetch still in flight is for a state the sliders have left
      this.root.dataset.state = "loading";
      return;
    }
    this.frameOpen = true;
    this.show(false);
    window.requestAnimationFrame(() => {
      this.frameOpen = false;
      if (this.pending) {
        this.pending = false;
        this.requestShow();
      }
    });
  }

  async show(push, record = true) {
    const st = this.state();
    const token = ++this.token;
    let doc = this.data.cached(this.manifest, st);
    if (!doc) {
      this.root.dataset.state = "loading";
      try {
        doc = await this.data.axis(this.manifest, st);
      } catch (error) {
        if (token === this.token) this.fail(`Could not load the data for this setting (${error.message}).`);
        return;
      }
      if (token !== this.token) return; // a newer state won the race
    }
    if (record) this.recordHash(push);
    const model = decode(this.manifest, doc, st);
    if (!model.valid) {
      this.invalid(model);
    } else {
      this.problemEl.hidden = true;
      this.draw(model);
      this.root.dataset.outputShape = `${model.H},${model.W}`;
      this.root.dataset.state = "ready";
    }
    // In a task of its own: the drawing is painted first, and the fetch calls stay off the path
    // from the slider's input event to the new picture.
    window.setTimeout(() => this.data.prefetch(this.manifest, this.state()), 0);
  }

  /** Put the state in the URL. Dragging a slider fires dozens of input events a second, and
   * browsers throttle (and warn about) that many history calls, so replacements are debounced;
   * a push (a deliberate step: fix, pin, released slider) happens at once. */
  recordHash(push) {
    window.clearTimeout(this.hashTimer);
    const write = () => writeHash(this.id, this.state(), this.pin, push);
    if (push) write();
    else this.hashTimer = window.setTimeout(write, 150);
  }

  draw(model) {
    this.model = model;
    const numbers = this.numbersEl.checked;
    this.root.classList.toggle("ct-numbers-on", numbers);
    for (const panel of Object.values(this.panels)) panel.classList.remove("ct-invalid");
    renderDirect(this.panels.direct, model, numbers);
    renderConv(this.panels.conv, model, numbers);
    renderMatrix(this.panels.matrix, model, numbers);
    renderOverlap(this.panels.overlap, model);
    if (this.panels.adjoint) renderAdjoint(this.panels.adjoint, model, numbers);
    markValues(this.root, model, numbers);
    showSnippet(this.root, this.snippet());
    this.shapeEl.textContent = shapeFormula(model);
    if (this.pin && !this.exists(this.pin)) this.pin = null;
    this.highlight(this.pin);
  }

  invalid(model) {
    this.model = null;
    this.nearest = model.nearest;
    delete this.root.dataset.outputShape;
    this.root.dataset.state = "invalid";
    for (const panel of Object.values(this.panels)) panel.classList.add("ct-invalid");
    this.problemEl.hidden = false;
    this.root.querySelector('[data-role="problem-text"]').textContent = `PyTorch rejects this setting: ${model.message}`;
    const fix = this.root.querySelector('[data-role="fix"]');
    const retry = this.root.querySelector('[data-role="retry"]');
    retry.hidden = true;
    if (model.nearest) {
      const st = this.state();
      const changes = SLIDERS.filter((n) => model.nearest[n] !== st[n]).map((n) => `${n.replace("_", " ")} ${model.nearest[n]}`);
      fix.textContent = `Use the nearest accepted setting: ${changes.join(", ")}`;
      fix.hidden = false;
    } else {
      fix.hidden = true;
    }
    this.shapeEl.textContent = "";
    this.formulaEl.textContent = "No output: fix the setting first.";
    showSnippet(this.root, this.snippet());
  }

  fail(message) {
    this.root.dataset.state = "error";
    this.problemEl.hidden = false;
    this.root.querySelector('[data-role="problem-text"]').textContent = message;
    this.root.querySelector('[data-role="fix"]').hidden = true;
    this.root.querySelector('[data-role="retry"]').hidden = false;
  }

  async retry() {
    this.problemEl.hidden = true;
    if (!this.manifest) {
      await this.start();
      return;
    }
    await this.show(false);
  }

  selectTab(key) {
    for (const tab of this.root.querySelectorAll("[data-tab]")) {
      const on = tab.dataset.tab === key;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const [name, panel] of Object.entries(this.panels)) panel.hidden = name !== key;
  }

  tabKeys(event) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const tabs = [...this.root.querySelectorAll("[data-tab]")];
    const at = tabs.indexOf(event.currentTarget);
    const next = tabs[(at + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    this.selectTab(next.dataset.tab);
    next.focus();
    event.preventDefault();
  }

  hoverEvent(event) {
    const target = cellOf(event.target);
    if (target) this.highlight(target);
  }

  cellKeys(event) {
    const cell = event.target.closest ? event.target.closest("g.ct-cell") : null;
    if (!cell) return;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[event.key]) {
      const [dr, dc] = moves[event.key];
      const row = Number(cell.dataset.row) + dr;
      const col = Number(cell.dataset.col) + dc;
      const next = cell.parentNode.querySelector(`g.ct-cell[data-row="${row}"][data-col="${col}"]`);
      if (next) {
        for (const other of cell.parentNode.querySelectorAll('g.ct-cell[tabindex="0"]')) other.setAttribute("tabindex", "-1");
        next.setAttribute("tabindex", "0");
        next.focus();
      }
      event.preventDefault();
    } else if (event.key === "Enter" || event.key === " ") {
      const target = cellOf(cell);
      if (target) this.togglePin(target);
      event.preventDefault();
    }
  }

  togglePin(target) {
    const same = this.pin && this.pin.grid === target.grid && this.pin.row === target.row && this.pin.col === target.col;
    this.setPin(same ? null : target);
  }

  setPin(target) {
    this.pin = target && ["input", "kernel", "output"].includes(target.grid) ? target : (target ? this.canonical(target) : null);
    this.root.classList.toggle("ct-pinned", Boolean(this.pin));
    this.highlight(this.pin);
    if (this.model) this.recordHash(true);
  }

  /** Pins are stored as input, kernel or output cells, whatever grid was clicked. */
  canonical(target) {
    const resolved = this.resolve(target);
    return resolved ? { grid: resolved.kind, row: resolved.row, col: resolved.col } : null;
  }

  exists(target) {
    const m = this.model;
    const size = { input: [m.h, m.w], kernel: [m.k, m.k], output: [m.H, m.W] }[target.grid];
    return size && target.row < size[0] && target.col < size[1];
  }

  /** What a hovered cell stands for: an input, kernel or output cell, or nothing. */
  resolve(target) {
    const m = this.model;
    if (!m) return null;
    const { grid, row, col } = target;
    if (grid === "input" || grid === "kernel" || grid === "output") return { kind: grid, row, col };
    if (grid === "mirror-output") return { kind: "output", row, col };
    if (grid === "expanded") {
      const a = m.rowKind[row];
      const b = m.colKind[col];
      return a >= 0 && b >= 0 ? { kind: "input", row: a, col: b } : null;
    }
    if (grid === "flipped") {
      if (row % m.d || col % m.d) return null;
      return { kind: "kernel", row: m.k - 1 - row / m.d, col: m.k - 1 - col / m.d };
    }
    if (grid === "matrix") return { kind: "output", row: Math.floor(row / m.W), col: row % m.W };
    return null;
  }

  highlight(target) {
    const root = select(this.root);
    root.selectAll(".active").classed("active", false);
    root.selectAll(".lit").classed("lit", false);
    const m = this.model;
    const resolved = target && m ? this.resolve(target) : null;
    if (m && this.panels.adjoint) highlightAdjoint(this.root, m, resolved);
    if (!resolved) {
      if (m) this.formulaEl.textContent = "Hover or focus an output cell to see how it is formed.";
      return;
    }
    const mark = { input: new Set(), kernel: new Set(), output: new Set(), expanded: new Set(), flipped: new Set() };
    const matrixRows = new Set();
    const matrixCols = new Set();
    const { row, col } = resolved;
    if (resolved.kind === "output") {
      mark.output.add(`${row},${col}`);
      for (const [a, b, ka, kb] of contributionsOf(m, row, col)) {
        mark.input.add(`${a},${b}`);
        mark.kernel.add(`${ka},${kb}`);
      }
      for (let t = 0; t < m.k; t++) {
        for (let u = 0; u < m.k; u++) {
          mark.expanded.add(`${row + t * m.d},${col + u * m.d}`);
          mark.flipped.add(`${t * m.d},${u * m.d}`);
        }
      }
      matrixRows.add(row * m.W + col);
      this.formulaEl.textContent = outputFormula(m, row, col);
    } else if (resolved.kind === "input") {
      mark.input.add(`${row},${col}`);
      for (const [i, j, ka, kb] of footprintOf(m, row, col)) {
        mark.output.add(`${i},${j}`);
        mark.kernel.add(`${ka},${kb}`);
      }
      matrixCols.add(row * m.w + col);
      this.formulaEl.textContent = inputFormula(m, row, col);
    } else {
      mark.kernel.add(`${row},${col}`);
      mark.flipped.add(`${(m.k - 1 - row) * m.d},${(m.k - 1 - col) * m.d}`);
      const links = linksOf(m, row, col);
      for (const [a, b, i, j] of links) {
        mark.input.add(`${a},${b}`);
        mark.output.add(`${i},${j}`);
      }
      this.formulaEl.textContent = `w[${row},${col}] links ${links.length} (input, output) pair(s): ` +
        (links.slice(0, 12).map(([a, b, i, j]) => `x[${a},${b}]→y[${i},${j}]`).join(", ") + (links.length > 12 ? ", …" : ""));
    }
    for (const grid of GRIDS) {
      root.selectAll(`[data-grid="${grid}"]`).classed("active", function () {
        return mark[grid].has(`${this.dataset.row},${this.dataset.col}`);
      });
    }
    root.selectAll('[data-mirror="output"]').classed("lit", function () {
      return mark.output.has(`${this.dataset.row},${this.dataset.col}`);
    });
    root.selectAll("[data-matrix]").classed("lit", function () {
      return matrixRows.has(Number(this.dataset.row)) || matrixCols.has(Number(this.dataset.col));
    });
    this.matrixBands(matrixRows, matrixCols);
  }

  /** A band behind the whole matrix row (or column), so its zeros read as part of it too. */
  matrixBands(rows, cols) {
    const m = this.model;
    const svg = select(this.root).select('figure.ct-grid[data-key="matrix"] svg');
    if (svg.empty() || !m) return;
    const bands = [
      ...[...rows].map((r) => ({ key: `r${r}`, x: 0, y: r * CELL, width: m.h * m.w * CELL, height: CELL })),
      ...[...cols].map((c) => ({ key: `c${c}`, x: c * CELL, y: 0, width: CELL, height: m.H * m.W * CELL })),
    ];
    svg.selectAll("rect.ct-band")
      .data(bands, (b) => b.key)
      .join((enter) => enter.insert("rect", ":first-child").attr("class", "ct-band").attr("aria-hidden", "true"))
      .attr("x", (b) => b.x).attr("y", (b) => b.y)
      .attr("width", (b) => b.width).attr("height", (b) => b.height);
  }

  /** The complete PyTorch program of the current setting, with the sample values of Numbers mode
   * (for a rejected setting it is the program PyTorch rejects). */
  snippet() {
    const { u, v, f, g } = this.manifest.sample;
    return pytorchSnippet(this.state(), (a, b) => u[a] * v[b], (ka, kb) => f[ka] * g[kb]);
  }

  async copy() {
    const button = this.root.querySelector('[data-role="copy"]');
    const text = this.snippet();
    button.dataset.snippet = text;
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch (error) {
      // Clipboard access can be refused (permissions, insecure origin): select the text instead.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "ct-offscreen";
      document.body.append(area);
      area.select();
      done = document.execCommand && document.execCommand("copy");
      area.remove();
    }
    showSnippet(this.root, text);
    if (!done) this.root.querySelector("details.ct-snippet").open = true;
    button.textContent = done ? "Copied" : "Copy failed: the program is shown below";
    window.setTimeout(() => { button.textContent = "Copy as PyTorch"; }, 1500);
  }
}

function cellOf(node) {
  const cell = node && node.closest ? node.closest("g.ct-cell") : null;
  if (!cell) return null;
  const grid = cell.dataset.grid || (cell.dataset.mirror ? `mirror-${cell.dataset.mirror}` : cell.dataset.matrix ? "matrix" : null);
  return grid ? { grid, row: Number(cell.dataset.row), col: Number(cell.dataset.col) } : null;
}

function shapeFormula(m) {
  const side = (name, n) => `${name} = (${n}−1)·${m.s} − 2·${m.p} + ${m.d}·(${m.k}−1) + ${m.o} + 1 = ` +
    `${(n - 1) * m.s - 2 * m.p + m.d * (m.k - 1) + m.o + 1}`;
  return `${side("H", m.h)}\n${side("W", m.w)}`;
}

function outputFormula(m, i, j) {
  const terms = contributionsOf(m, i, j);
  const extra = i >= m.H - m.o || j >= m.W - m.o ? " (a cell added by output_padding)" : "";
  if (!terms.length) return `y[${i},${j}] = 0: no input reaches this cell${extra}.`;
  const symbols = terms.map(([a, b, ka, kb]) => `x[${a},${b}]·w[${ka},${kb}]`).join(" + ");
  const numbers = terms.map(([a, b, ka, kb]) => `${signed(m.x(a, b))}·${signed(m.wv(ka, kb))}`).join(" + ");
  return `y[${i},${j}] = ${symbols} = ${numbers} = ${String(m.y(i, j)).replace("-", "−")}${extra}`;
}

function inputFormula(m, a, b) {
  const targets = footprintOf(m, a, b);
  if (!targets.length) return `x[${a},${b}] reaches no output cell: padding crops its whole footprint.`;
  return `x[${a},${b}] = ${m.x(a, b)} is scattered to ` +
    targets.map(([i, j, ka, kb]) => `y[${i},${j}] (·w[${ka},${kb}])`).join(", ");
}
