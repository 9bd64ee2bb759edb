// One explorer: reads the controls, loads and decodes the data for the state, draws every view,
// and links hover/focus/pin across the grids. All arithmetic comes decoded from the JSON.

import { select } from "../../vendor/d3-selection-3.0.1/d3-selection.js";
import { holdAtTop } from "../../js/anchor.js";
import {
  DataSource, PARAMS, SLIDERS, STATE_KEYS, contributionsOf, decode, footprintOf, linksOf, tapHue,
} from "./data.js";
import { CELL, signed } from "./grid.js";
import { pytorchSnippet, showSnippet } from "./snippet.js";
import { readState, writeState } from "./state.js";
import { highlightAdjoint, renderAdjoint } from "./views/adjoint.js";
import { renderConv } from "./views/conv.js";
import { renderDirect } from "./views/direct.js";
import { renderMatrix } from "./views/matrix.js";
import { renderOverlap } from "./views/overlap.js";
import { Walk } from "./walk.js";

/** Every view, by the data-view of its panel: render(panel, model, numbers). A new view adds its
 * line here and a tab in widget.py's VIEWS. */
const VIEWS = {
  direct: renderDirect,
  conv: renderConv,
  matrix: renderMatrix,
  overlap: renderOverlap,
  adjoint: renderAdjoint,
};
const PIN_GRIDS = ["input", "kernel", "output"];

export class Explorer {
  constructor(root) {
    this.root = root;
    this.id = root.dataset.widgetId;
    this.data = new DataSource(root.dataset.manifest);
    const input = (name) => root.querySelector(`input[name="${name}"]`);
    this.inputs = Object.fromEntries([...SLIDERS, ...STATE_KEYS].map((name) => [name, input(name)]));
    this.linkButtons = Object.fromEntries(PARAMS.map((p) => [p, root.querySelector(`[data-role="link"][data-param="${p}"]`)]));
    this.linked = Object.fromEntries(PARAMS.map((p) => [p, true]));
    this.panels = Object.fromEntries([...root.querySelectorAll("[data-view]")].map((p) => [p.dataset.view, p]));
    this.formulaEl = root.querySelector('[data-role="formula"]');
    this.pinEl = root.querySelector('[data-role="pin-status"]');
    this.shapeEl = root.querySelector('[data-role="shape"]');
    this.problemEl = root.querySelector('[data-role="problem"]');
    this.numbersEl = root.querySelector('[data-role="numbers"]');
    this.tab = "direct";
    this.stale = new Set(); // views not yet drawn for the current model
    this.model = null;
    this.pin = null;
    this.token = 0;
    this.touched = false; // the URL is the reader's until they use the explorer
    this.cells = null; // index of drawn cells, rebuilt after a draw
    this.marked = [];
    this.walk = new Walk(this);
  }

  async start() {
    this.root.classList.add("ct-live");
    this.manifest = await this.loadManifest();
    if (!this.manifest) return;
    const saved = readState(this.id, this.manifest.ranges, Object.keys(this.panels));
    if (saved) {
      this.setControls(saved.st, saved.linked);
      this.numbersEl.checked = saved.numbers;
      if (saved.tab) this.selectTab(saved.tab);
      this.pin = saved.pin;
    }
    this.bind();
    await this.show();
    // A permalink is about this widget: bring it into view once the page has settled.
    if (saved) holdAtTop(this.root);
  }

  async loadManifest() {
    try {
      return await this.data.manifest();
    } catch (error) {
      this.fail(`Could not load the explorer's data (${error.message}).`);
      return null;
    }
  }

  /** The numbers of the state: {height, width, kernel_h, kernel_w, ..., dilation_w}. */
  state() {
    return Object.fromEntries(STATE_KEYS.map((name) => [name, Number(this.inputs[name].value)]));
  }

  setValue(name, value) {
    this.inputs[name].value = value;
    this.root.querySelector(`[data-role="value-${name}"]`).textContent = value;
  }

  /** Put a state on the sliders; `linked` (optional) sets the link toggles, otherwise a
   * parameter whose axes now differ is unlinked. */
  setControls(st, linked) {
    for (const name of STATE_KEYS) this.setValue(name, st[name]);
    for (const p of PARAMS) {
      const on = linked ? linked[p] !== false && st[`${p}_h`] === st[`${p}_w`] : this.linked[p] && st[`${p}_h`] === st[`${p}_w`];
      this.setLinked(p, on);
    }
  }

  /** Link or unlink a parameter's two axes (only the toggle and which sliders show). */
  setLinked(param, on) {
    this.linked[param] = on;
    const box = this.linkButtons[param].closest(".ct-param");
    box.dataset.linked = String(on);
    this.linkButtons[param].setAttribute("aria-pressed", String(on));
    box.querySelector(`[data-slider="${param}"]`).hidden = !on;
    box.querySelector(`[data-slider="${param}_h"]`).hidden = on;
    box.querySelector(`[data-slider="${param}_w"]`).hidden = on;
    if (on) this.setValue(param, this.inputs[`${param}_h`].value);
  }

  bind() {
    const used = () => { this.touched = true; };
    for (const name of ["height", "width"]) {
      this.inputs[name].addEventListener("input", () => {
        used();
        this.setValue(name, this.inputs[name].value);
        this.requestShow();
      });
    }
    for (const p of PARAMS) {
      this.inputs[p].addEventListener("input", () => {
        used();
        const value = this.inputs[p].value;
        this.setValue(p, value);
        this.setValue(`${p}_h`, value);
        this.setValue(`${p}_w`, value);
        this.requestShow();
      });
      for (const axis of ["h", "w"]) {
        const name = `${p}_${axis}`;
        this.inputs[name].addEventListener("input", () => {
          used();
          this.setValue(name, this.inputs[name].value);
          if (this.linked[p]) this.setLinked(p, false);
          this.requestShow();
        });
      }
      this.linkButtons[p].addEventListener("click", () => {
        used();
        const on = !this.linked[p];
        if (on) this.setValue(`${p}_w`, this.inputs[`${p}_h`].value);
        this.setLinked(p, on);
        this.requestShow();
      });
    }
    window.addEventListener("popstate", () => this.fromLocation());
    this.numbersEl.addEventListener("change", () => {
      used();
      if (this.model) this.draw(this.model);
      this.record();
    });
    this.root.querySelector('[data-role="copy"]').addEventListener("click", () => this.copy());
    this.root.querySelector('[data-role="retry"]').addEventListener("click", () => this.retry());
    this.root.querySelector('[data-role="fix"]').addEventListener("click", () => {
      if (!this.nearest) return;
      used();
      this.setControls(this.nearest);
      this.show();
    });
    for (const tab of this.root.querySelectorAll("[data-tab]")) {
      tab.addEventListener("click", () => {
        used();
        this.selectTab(tab.dataset.tab);
        this.record();
      });
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
      if (target) {
        used();
        this.walk.stop();
        this.togglePin(target);
      }
    });
    views.addEventListener("keydown", (event) => this.cellKeys(event));
    // Escape releases the pin wherever focus is: the reader may have tabbed on into the prose.
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      const walking = this.walk.playing;
      this.walk.stop();
      if (this.pin || walking) {
        used();
        this.setPin(null);
      }
    });
    this.walk.bind();
  }

  fromLocation() {
    const found = readState(this.id, this.manifest.ranges, Object.keys(this.panels));
    if (!found) return;
    const st = this.state();
    const same = STATE_KEYS.every((n) => found.st[n] === st[n]);
    this.pin = found.pin;
    this.numbersEl.checked = found.numbers;
    if (found.tab) this.selectTab(found.tab);
    if (same && this.model) {
      this.draw(this.model);
      return;
    }
    this.setControls(found.st, found.linked);
    this.show();
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
    this.show();
    window.requestAnimationFrame(() => {
      this.frameOpen = false;
      if (this.pending) {
        this.pending = false;
        this.requestShow();
      }
    });
  }

  async show() {
    const st = this.state();
    const token = ++this.token;
    let docs = this.data.cached(this.manifest, st);
    if (!docs) {
      this.root.dataset.state = "loading";
      try {
        docs = await this.data.axes(this.manifest, st);
      } catch (error) {
        if (token === this.token) this.fail(`Could not load the data for this setting (${error.message}).`);
        return;
      }
      if (token !== this.token) return; // a newer state won the race
    }
    this.record();
    const model = decode(this.manifest, docs[0], docs[1], st, this.linked);
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

  /** Put the state in the URL, once the reader has used the explorer (a page opened on a section
   * link keeps its URL until then). Always a replacement: Back leaves the page, as it did before
   * the reader touched a slider. Debounced: a drag fires dozens of input events a second. */
  record() {
    if (!this.touched) return;
    window.clearTimeout(this.hashTimer);
    this.hashTimer = window.setTimeout(() => writeState(this.id, {
      st: this.state(), linked: this.linked, tab: this.tab === "direct" ? null : this.tab,
      numbers: this.numbersEl.checked, pin: this.pin,
    }), 120);
  }

  /** Draw the visible view now and the hidden ones when the browser is idle (or as soon as a
   * highlight or a tab needs them): a slider step costs one view, not all of them. */
  draw(model) {
    this.model = model;
    this.root.classList.toggle("ct-numbers-on", this.numbersEl.checked);
    this.stale = new Set(Object.keys(this.panels));
    this.drawView(this.tab);
    showSnippet(this.root, this.snippet());
    this.shapeEl.textContent = shapeFormula(model);
    if (this.pin && !this.exists(this.pin)) this.pin = null;
    this.highlight(this.pin, false);
    const later = () => {
      if (this.model !== model || !this.stale.size) return;
      this.drawStale();
      this.highlight(this.current, false);
    };
    if (window.requestIdleCallback) window.requestIdleCallback(later);
    else window.setTimeout(later, 60);
  }

  drawView(name) {
    if (!this.model || !this.stale.has(name)) return;
    this.stale.delete(name);
    const panel = this.panels[name];
    panel.classList.remove("ct-invalid");
    if (VIEWS[name]) VIEWS[name](panel, this.model, this.numbersEl.checked);
    this.cells = null; // the marks of the last highlight are cleared by the next one
  }

  drawStale() {
    for (const name of [...this.stale]) this.drawView(name);
  }

  invalid(model) {
    this.highlight(null, false);
    this.model = null;
    this.cells = null;
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
      fix.textContent = `Use the nearest accepted setting: ${describeChanges(this.state(), model.nearest)}`;
      fix.hidden = false;
    } else {
      fix.hidden = true;
    }
    this.shapeEl.textContent = "";
    this.formulaEl.textContent = "No output: fix the setting first.";
    this.showPin();
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
    await this.show();
  }

  selectTab(key) {
    if (!this.panels[key]) return;
    this.tab = key;
    for (const tab of this.root.querySelectorAll("[data-tab]")) {
      const on = tab.dataset.tab === key;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    this.drawView(key);
    for (const [name, panel] of Object.entries(this.panels)) panel.hidden = name !== key;
    this.walk.reset();
  }

  tabKeys(event) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const tabs = [...this.root.querySelectorAll("[data-tab]")];
    const at = tabs.indexOf(event.currentTarget);
    const next = tabs[(at + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    this.touched = true;
    this.selectTab(next.dataset.tab);
    this.record();
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
      if (target) {
        this.touched = true;
        this.walk.stop();
        this.togglePin(target);
      }
      event.preventDefault();
    }
  }

  togglePin(target) {
    const pin = this.canonical(target);
    const same = pin && this.pin && this.pin.grid === pin.grid && this.pin.row === pin.row && this.pin.col === pin.col;
    this.setPin(same ? null : pin);
  }

  setPin(target) {
    this.pin = target ? this.canonical(target) : null;
    this.highlight(this.pin);
    if (this.model) this.record();
  }

  /** Pins are stored as input, kernel or output cells, whatever grid was clicked. */
  canonical(target) {
    if (PIN_GRIDS.includes(target.grid)) return target;
    const resolved = this.resolve(target);
    return resolved ? { grid: resolved.kind, row: resolved.row, col: resolved.col } : null;
  }

  exists(target) {
    const m = this.model;
    const size = { input: [m.h, m.w], kernel: [m.kh, m.kw], output: [m.H, m.W] }[target.grid];
    return size && target.row < size[0] && target.col < size[1];
  }

  /** What a hovered cell stands for: an input, kernel or output cell, or nothing. */
  resolve(target) {
    const m = this.model;
    if (!m) return null;
    const { grid, row, col } = target;
    if (PIN_GRIDS.includes(grid)) return { kind: grid, row, col };
    if (grid === "mirror-output") return { kind: "output", row, col };
    if (grid === "expanded") {
      const a = m.rows.kind[row];
      const b = m.cols.kind[col];
      return a >= 0 && b >= 0 ? { kind: "input", row: a, col: b } : null;
    }
    if (grid === "flipped") {
      if (row % m.rows.d || col % m.cols.d) return null;
      return { kind: "kernel", row: m.kh - 1 - row / m.rows.d, col: m.kw - 1 - col / m.cols.d };
    }
    if (grid === "matrix") return { kind: "output", row: Math.floor(row / m.W), col: row % m.W };
    return null;
  }

  /** Every drawn cell by what it shows, so a highlight touches only the cells it marks. */
  cellIndex() {
    if (this.cells) return this.cells;
    const index = new Map();
    const add = (key, node) => {
      const list = index.get(key);
      if (list) list.push(node);
      else index.set(key, [node]);
    };
    for (const node of this.root.querySelectorAll(".ct-views g.ct-cell")) {
      const { grid, mirror, matrix, row, col } = node.dataset;
      if (grid) add(`${grid}:${row},${col}`, node);
      else if (mirror) add(`mirror:${row},${col}`, node); // mirrors of output cells
      else if (matrix) {
        add(`row:${row}`, node);
        add(`col:${col}`, node);
      }
    }
    this.cells = index;
    return index;
  }

  /**
   * Mark what `target` is made of. Each (input, weight) product gets the hue of its kernel tap,
   * the same in every view: the input cell, the tap in W, the tap's place in the flipped W′, the
   * X′ cell it meets there and the matrix entry. The pin keeps its own outline.
   */
  highlight(target, complete = true) {
    this.current = target;
    if (complete) this.drawStale(); // a highlight marks every view, drawn or not yet
    for (const node of this.marked) {
      node.classList.remove("active", "lit", "pair", "pinned");
      node.style.removeProperty("--ct-hue");
      node.removeAttribute("aria-pressed");
    }
    this.marked = [];
    const m = this.model;
    this.showPin();
    const resolved = target && m ? this.resolve(target) : null;
    // The adjoint's matrix C holds no x, w or y cell of the index: it lights by row, column or tap.
    if (m && this.panels.adjoint && !this.stale.has("adjoint")) highlightAdjoint(this.root, m, resolved);
    if (!resolved) {
      if (m) this.formulaEl.textContent = "Hover or focus an output cell to see how it is formed.";
      this.matrixBands(new Set(), new Set());
      return;
    }
    const index = this.cellIndex();
    const mark = (key, cls, hue) => {
      for (const node of index.get(key) || []) {
        node.classList.add(cls);
        if (hue !== undefined) {
          node.classList.add("pair");
          node.style.setProperty("--ct-hue", hue);
        }
        this.marked.push(node);
      }
    };
    const hue = (ka, kb) => tapHue(m.kh, m.kw, ka, kb);
    const dh = m.rows.d;
    const dw = m.cols.d;
    const flippedAt = (ka, kb) => `${(m.kh - 1 - ka) * dh},${(m.kw - 1 - kb) * dw}`;
    const matrixRows = new Set();
    const matrixCols = new Set();
    const { row, col } = resolved;
    if (resolved.kind === "output") {
      mark(`output:${row},${col}`, "active");
      const terms = contributionsOf(m, row, col);
      const met = new Set();
      for (const [a, b, ka, kb] of terms) {
        const tone = hue(ka, kb);
        mark(`input:${a},${b}`, "active", tone);
        mark(`kernel:${ka},${kb}`, "active", tone);
        mark(`flipped:${flippedAt(ka, kb)}`, "active", tone);
        // The window of W′ over X′ starts at (row, col): tap (t, u) of W′ meets X′ there.
        const r = row + (m.kh - 1 - ka) * dh;
        const c = col + (m.kw - 1 - kb) * dw;
        met.add(`${r},${c}`);
        mark(`expanded:${r},${c}`, "active", tone);
        const entry = index.get(`row:${row * m.W + col}`) || [];
        for (const node of entry) {
          if (Number(node.dataset.col) === a * m.w + b) {
            node.classList.add("pair");
            node.style.setProperty("--ct-hue", tone);
          }
        }
      }
      // The rest of the window: zeros and border cells the kernel also covers (products of 0).
      for (let t = 0; t < m.kh; t++) {
        for (let u = 0; u < m.kw; u++) {
          const key = `${row + t * dh},${col + u * dw}`;
          if (!met.has(key)) mark(`expanded:${key}`, "active");
          const tap = `${t * dh},${u * dw}`;
          const ka = m.kh - 1 - t;
          const kb = m.kw - 1 - u;
          if (!terms.some((q) => q[2] === ka && q[3] === kb)) mark(`flipped:${tap}`, "active");
        }
      }
      matrixRows.add(row * m.W + col);
      showParts(this.formulaEl, outputFormula(m, row, col));
    } else if (resolved.kind === "input") {
      mark(`input:${row},${col}`, "active");
      const r = m.rows.kind.indexOf(row);
      const c = m.cols.kind.indexOf(col);
      if (r >= 0 && c >= 0) mark(`expanded:${r},${c}`, "active"); // absent when cropped away
      for (const [i, j, ka, kb] of footprintOf(m, row, col)) {
        const tone = hue(ka, kb);
        mark(`output:${i},${j}`, "active", tone);
        mark(`mirror:${i},${j}`, "lit", tone);
        mark(`kernel:${ka},${kb}`, "active", tone);
        mark(`flipped:${flippedAt(ka, kb)}`, "active", tone);
      }
      matrixCols.add(row * m.w + col);
      showParts(this.formulaEl, inputFormula(m, row, col));
    } else {
      const tone = hue(row, col);
      mark(`kernel:${row},${col}`, "active", tone);
      mark(`flipped:${flippedAt(row, col)}`, "active", tone);
      const links = linksOf(m, row, col);
      for (const [a, b, i, j] of links) {
        mark(`input:${a},${b}`, "active", tone);
        mark(`output:${i},${j}`, "active", tone);
        mark(`mirror:${i},${j}`, "lit", tone);
      }
      this.formulaEl.textContent = `w[${row},${col}] links ${links.length} (input, output) pair(s): ` +
        (links.slice(0, 12).map(([a, b, i, j]) => `x[${a},${b}]→y[${i},${j}]`).join(", ") + (links.length > 12 ? ", …" : ""));
    }
    if (resolved.kind === "output") mark(`mirror:${row},${col}`, "lit");
    for (const r of matrixRows) mark(`row:${r}`, "lit");
    for (const c of matrixCols) mark(`col:${c}`, "lit");
    if (this.pin) {
      const pinKeys = [`${this.pin.grid}:${this.pin.row},${this.pin.col}`];
      if (this.pin.grid === "output") pinKeys.push(`mirror:${this.pin.row},${this.pin.col}`);
      for (const key of pinKeys) {
        for (const node of index.get(key) || []) {
          node.classList.add("pinned");
          node.setAttribute("aria-pressed", "true");
          this.marked.push(node);
        }
      }
    }
    this.matrixBands(matrixRows, matrixCols);
  }

  /** The pin, in words, above the formula: a pin must not look like a hover. */
  showPin() {
    const pin = this.model ? this.pin : null;
    this.root.classList.toggle("ct-pinned", Boolean(pin));
    if (pin) this.root.dataset.pinned = `${pin.grid}-${pin.row}-${pin.col}`;
    else delete this.root.dataset.pinned;
    this.pinEl.hidden = !pin;
    if (pin) {
      const symbol = { input: "x", kernel: "w", output: "y" }[pin.grid];
      this.pinEl.textContent = `Pinned: ${symbol}[${pin.row},${pin.col}] (Escape or click it again to release)`;
    }
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

/** "kernel 2, stride (height) 3": what the fix button will change. */
function describeChanges(st, near) {
  const changes = [];
  for (const name of ["height", "width"]) if (near[name] !== st[name]) changes.push(`${name} ${near[name]}`);
  for (const p of PARAMS) {
    const h = near[`${p}_h`];
    const w = near[`${p}_w`];
    const label = p.replace("_", " ");
    if (h === w && (h !== st[`${p}_h`] || w !== st[`${p}_w`])) changes.push(`${label} ${h}`);
    else if (h !== w) {
      if (h !== st[`${p}_h`]) changes.push(`${label} (height) ${h}`);
      if (w !== st[`${p}_w`]) changes.push(`${label} (width) ${w}`);
    }
  }
  return changes.join(", ");
}

function shapeFormula(m) {
  const side = (name, ax) => `${name} = (${ax.n}−1)·${ax.s} − 2·${ax.p} + ${ax.d}·(${ax.k}−1) + ${ax.o} + 1 = ${ax.L}`;
  return `${side("H", m.rows)}\n${side("W", m.cols)}`;
}

/** Write a formula given as parts: strings, or [text, hue] for a product in its pair's colour. */
function showParts(element, parts) {
  element.replaceChildren(...parts.map((part) => {
    if (typeof part === "string") return part;
    const span = document.createElement("span");
    span.className = "ct-term";
    span.style.setProperty("--ct-hue", part[1]);
    span.textContent = part[0];
    return span;
  }));
}

/** Parts joined by `glue`: [a, glue, b, glue, c]. */
function joined(parts, glue) {
  return parts.flatMap((part, at) => (at ? [glue, part] : [part]));
}

function outputFormula(m, i, j) {
  const terms = contributionsOf(m, i, j);
  const extra = i >= m.H - m.rows.o || j >= m.W - m.cols.o ? " (a cell added by output_padding)" : "";
  if (!terms.length) return [`y[${i},${j}] = 0: no input reaches this cell${extra}.`];
  const hue = (ka, kb) => tapHue(m.kh, m.kw, ka, kb);
  const symbols = terms.map(([a, b, ka, kb]) => [`x[${a},${b}]·w[${ka},${kb}]`, hue(ka, kb)]);
  const numbers = terms.map(([a, b, ka, kb]) => `${signed(m.x(a, b))}·${signed(m.wv(ka, kb))}`).join(" + ");
  return [`y[${i},${j}] = `, ...joined(symbols, " + "),
    ` = ${numbers} = ${String(m.y(i, j)).replace("-", "−")}${extra}`];
}

function inputFormula(m, a, b) {
  const targets = footprintOf(m, a, b);
  if (!targets.length) return [`x[${a},${b}] reaches no output cell: padding crops its whole footprint.`];
  const parts = targets.map(([i, j, ka, kb]) => [`y[${i},${j}] (·w[${ka},${kb}])`, tapHue(m.kh, m.kw, ka, kb)]);
  return [`x[${a},${b}] = ${m.x(a, b)} is scattered to `, ...joined(parts, ", ")];
}
