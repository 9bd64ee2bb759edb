// One explorer: the sliders, the PyTorch call they stand for, the view and the readout of the
// active output. State lives in the sliders themselves; data.json is fetched once.

import { SLIDERS, inputAt, load, modelOf } from "./data.js";
import { renderStrip } from "./strip.js";

export class Explorer {
  constructor(root) {
    this.root = root;
    this.part = (role) => root.querySelector(`[data-role="${role}"]`);
    this.inputs = Object.fromEntries(SLIDERS.map((name) => [name, root.querySelector(`input[name="${name}"]`)]));
  }

  async start() {
    this.part("nojs").hidden = true;
    this.part("live").hidden = false;
    this.data = await load(new URL(this.root.dataset.src, document.baseURI).href);
    for (const input of Object.values(this.inputs)) input.addEventListener("input", () => this.draw());
    this.draw();
    this.root.dataset.state = "ready";
  }

  /** The slider setting: {length, kernel, stride, padding, dilation}. */
  state() {
    return Object.fromEntries(SLIDERS.map((name) => [name, Number(this.inputs[name].value)]));
  }

  draw() {
    const st = this.state();
    for (const name of SLIDERS) this.part(`value-${name}`).textContent = String(st[name]);
    this.model = modelOf(this.data, st);
    const m = this.model;
    this.part("call").textContent = `nn.Conv1d(1, 1, kernel_size=${m.k}, stride=${m.s}, padding=${m.p}, `
      + `dilation=${m.d}, bias=False): length ${m.n} → ${m.valid ? m.L : "error"}`;
    const problem = this.part("problem");
    problem.hidden = m.valid;
    problem.textContent = m.valid ? "" : `PyTorch refuses this setting: the dilated kernel spans ${m.span} cells, `
      + `more than the ${m.padded} of the padded input (n + 2p). Lengthen the input, pad more, or shrink k or d.`;
    this.root.dataset.valid = String(m.valid);
    this.activate = renderStrip(this.part("view"), m, (i) => this.readout(i));
  }

  /** The sum behind output i, term by term (padding terms are written as 0). */
  readout(i) {
    const m = this.model;
    const out = this.part("readout");
    if (!m.valid || i === null) {
      out.textContent = "";
      return;
    }
    const terms = m.field(i).map(([j, t]) => {
      const x = j >= 0 && j < m.n ? `x[${j}]` : "0";
      return { symbol: `w[${t}]·${x}`, value: `${signed(m.w[t])}·${signed(inputAt(m, j))}` };
    });
    out.textContent = `y[${i}] = ${terms.map((term) => term.symbol).join(" + ")} = `
      + `${terms.map((term) => term.value).join(" + ")} = ${m.y[i]}`;
  }

  fail(message) {
    this.root.dataset.state = "error";
    const problem = this.part("problem");
    problem.hidden = false;
    problem.textContent = message;
  }
}

function signed(v) {
  return v < 0 ? `(−${-v})` : String(v);
}
