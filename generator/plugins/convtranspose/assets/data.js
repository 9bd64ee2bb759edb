// Loading and decoding the precomputed data (docs/data-format.md). Nothing here recomputes the
// arithmetic: a 2-D state is the composition of two axis files, one for the rows (height axis)
// and one for the columns (width axis); a square setting uses one file twice.

/** The parameters PyTorch takes per axis (as tuples), and their names in the axis file. */
export const PARAMS = ["kernel", "stride", "padding", "output_padding", "dilation"];
const LETTER = { kernel: "k", stride: "s", padding: "p", output_padding: "o", dilation: "d" };
/** The linked sliders (one per parameter, both axes) in manifest-range order. */
export const SLIDERS = ["height", "width", ...PARAMS];
/** Every number of a state: Explorer.state() returns exactly these keys. */
export const STATE_KEYS = ["height", "width", ...PARAMS.flatMap((p) => [`${p}_h`, `${p}_w`])];
const FORMAT = 1;

/** The (k, s, p, o, d) of one axis of a state: axis "h" (rows) or "w" (columns). */
export function axisParams(st, axis) {
  return Object.fromEntries(PARAMS.map((p) => [LETTER[p], st[`${p}_${axis}`]]));
}

export class DataSource {
  constructor(manifestUrl) {
    this.manifestUrl = new URL(manifestUrl, document.baseURI);
    this.files = new Map(); // url -> Promise of parsed JSON
    this.ready = new Map(); // url -> parsed JSON, once loaded
    this.bytes = 0; // bytes fetched so far (for the benchmark)
    this.requests = 0; // axis-file requests started so far (for the benchmark)
  }

  async manifest() {
    if (!this._manifest) {
      this._manifest = this.fetchJson(this.manifestUrl.href).then((m) => {
        if (m.format !== FORMAT) throw new Error(`unsupported data format ${m.format} (this page reads ${FORMAT})`);
        return m;
      });
      this._manifest.catch(() => { this._manifest = null; });
    }
    return this._manifest;
  }

  axisUrl(manifest, { k, s, p, o, d }) {
    const rel = manifest.axis.replace("{k}", k).replace("{s}", s).replace("{p}", p)
      .replace("{o}", o).replace("{d}", d);
    return new URL(rel, this.manifestUrl).href;
  }

  fetchJson(url) {
    if (!this.files.has(url)) {
      this.requests++;
      const pending = fetch(url).then(async (response) => {
        if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${url}`);
        const text = await response.text();
        this.bytes += text.length;
        const value = JSON.parse(text);
        this.ready.set(url, value);
        return value;
      });
      // A failed request is forgotten so that Retry fetches it again.
      pending.catch(() => this.files.delete(url));
      this.files.set(url, pending);
    }
    return this.files.get(url);
  }

  urls(manifest, st) {
    return [this.axisUrl(manifest, axisParams(st, "h")), this.axisUrl(manifest, axisParams(st, "w"))];
  }

  /** [row document, column document] of a state, synchronously when both are loaded (else undefined). */
  cached(manifest, st) {
    const docs = this.urls(manifest, st).map((url) => this.ready.get(url));
    return docs.every(Boolean) ? docs : undefined;
  }

  /** [row document, column document]: at most two requests, one when the axes are equal. */
  axes(manifest, st) {
    return Promise.all(this.urls(manifest, st).map((url) => this.fetchJson(url)));
  }

  /** Fetch the files one slider step away on either axis, so the next move (linked or per axis)
   * needs no network. */
  prefetch(manifest, st) {
    for (const axis of ["h", "w"]) {
      for (const name of PARAMS) {
        for (const step of [-1, 1]) {
          const key = `${name}_${axis}`;
          const value = st[key] + step;
          const [lo, hi] = manifest.ranges[name];
          if (value < lo || value > hi) continue;
          const next = axisParams({ ...st, [key]: value }, axis);
          this.fetchJson(this.axisUrl(manifest, next)).catch(() => {});
        }
      }
    }
  }
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

/** One axis of the model: the parameters, output length L and the 1-D tables for input length n. */
function axisModel(doc, n) {
  const { k, s, p, o, d } = doc;
  const base = { n, k, s, p, o, d, D: d * (k - 1) };
  if (doc.rule) return { ...base, rule: doc.rule, L: 0 };
  const j = n - doc.n[0];
  const L = doc.L[j];
  if (L < 1) return { ...base, L };
  const lists = (offsets, first, second, count) => {
    const out = [];
    for (let i = 0; i < count; i++) {
      const list = [];
      for (let e = offsets[i]; e < offsets[i + 1]; e++) list.push([first[e], second[e]]);
      out.push(list);
    }
    return out;
  };
  return {
    ...base, L, pl: doc.pl, ph: doc.ph,
    gather: lists(doc.go[j], doc.ga[j], doc.gk[j], L), // per output: [input, tap]
    scatter: lists(doc.so[j], doc.si[j], doc.sk[j], n), // per input: [output, tap]
    count: doc.cnt[j], kind: doc.xk[j], cropLow: doc.cl[j], cropHigh: doc.ch[j],
    yr: doc.yr[j], yc: doc.yc[j],
  };
}

/**
 * Either {valid: false, message, nearest} or the decoded 2-D model of a state.
 * The model: st; h, w (input), H, W (output); rows and cols, the axis models (n, k, s, p, o, d, D,
 * L, pl/ph = conv-form border low/high, gather, scatter, count, kind = X′ codes, cropLow/High);
 * kh, kw (kernel), and x(a, b), wv(ka, kb), y(i, j), the sample values shown in Numbers mode.
 * `linked` says which parameters the reader has linked (for the nearest setting).
 */
export function decode(manifest, rowDoc, colDoc, st, linked) {
  const { height: h, width: w } = st;
  const rows = axisModel(rowDoc, h);
  const cols = axisModel(colDoc, w);
  if (rows.rule || cols.rule) {
    return { valid: false, nearest: nearestOf(rowDoc, colDoc, st, linked),
      message: fill(manifest.rules.output_padding, {
        oph: rows.o, opw: cols.o, sh: rows.s, sw: cols.s, dh: rows.d, dw: cols.d }) };
  }
  if (rows.L < 1 || cols.L < 1) {
    return { valid: false, nearest: nearestOf(rowDoc, colDoc, st, linked),
      message: fill(manifest.rules.output_size, { h, w, oh: rows.L, ow: cols.L }) };
  }
  const sample = manifest.sample;
  return {
    valid: true, st, h, w, H: rows.L, W: cols.L, kh: rows.k, kw: cols.k, rows, cols,
    x: (a, b) => sample.u[a] * sample.v[b],
    wv: (ka, kb) => sample.f[ka] * sample.g[kb],
    y: (i, j) => rows.yr[i] * cols.yc[j],
  };
}

/** The nearest accepted state. With every parameter linked and a square setting it is the
 * nearest on the linked sliders (`near`, which keeps the axes equal); otherwise the two axes
 * are independent, and the nearest per-axis setting is the nearest of each axis alone
 * (`near_h`, `near_w`). */
function nearestOf(rowDoc, colDoc, st, linked) {
  const square = PARAMS.every((p) => st[`${p}_h`] === st[`${p}_w`]);
  if (rowDoc === colDoc && square && PARAMS.every((p) => linked[p])) {
    const flat = rowDoc.near;
    for (let at = 0; at < flat.length; at += 9) {
      if (flat[at] === st.height && flat[at + 1] === st.width) {
        const v = flat.slice(at + 2, at + 9);
        const out = { height: v[0], width: v[1] };
        PARAMS.forEach((p, i) => { out[`${p}_h`] = v[2 + i]; out[`${p}_w`] = v[2 + i]; });
        return out;
      }
    }
    return null;
  }
  const row = axisNear(rowDoc.near_h, st.height);
  const col = axisNear(colDoc.near_w, st.width);
  const out = { ...st };
  if (row) {
    out.height = row[0];
    PARAMS.forEach((p, i) => { out[`${p}_h`] = row[1 + i]; });
  }
  if (col) {
    out.width = col[0];
    PARAMS.forEach((p, i) => { out[`${p}_w`] = col[1 + i]; });
  }
  return row || col ? out : null;
}

function axisNear(flat, n) {
  if (!flat) return null; // data written before per-axis records existed
  for (let at = 0; at < flat.length; at += 7) if (flat[at] === n) return flat.slice(at + 1, at + 7);
  return null;
}

/** Every (a, b, ka, kb) feeding output (i, j): the row pairs times the column pairs. */
export function contributionsOf(model, i, j) {
  const out = [];
  for (const [a, ka] of model.rows.gather[i]) {
    for (const [b, kb] of model.cols.gather[j]) out.push([a, b, ka, kb]);
  }
  return out;
}

/** Every (i, j, ka, kb) that input (a, b) reaches. */
export function footprintOf(model, a, b) {
  const out = [];
  for (const [i, ka] of model.rows.scatter[a]) {
    for (const [j, kb] of model.cols.scatter[b]) out.push([i, j, ka, kb]);
  }
  return out;
}

/** Every (a, b, i, j) that kernel tap (ka, kb) links. */
export function linksOf(model, ka, kb) {
  const rows = [];
  model.rows.scatter.forEach((list, a) => list.forEach(([i, t]) => { if (t === ka) rows.push([a, i]); }));
  const cols = [];
  model.cols.scatter.forEach((list, b) => list.forEach(([j, t]) => { if (t === kb) cols.push([b, j]); }));
  const out = [];
  for (const [a, i] of rows) for (const [b, j] of cols) out.push([a, b, i, j]);
  return out;
}

/** The hue (degrees) of kernel tap (ka, kb) of a kh×kw kernel: every tap its own, evenly spaced
 * around the wheel, with consecutive taps far apart so neighbours never look alike. A product
 * x·w takes the hue of its tap, so the reader sees which input meets which weight. */
export function tapHue(kh, kw, ka, kb) {
  const n = kh * kw;
  let step = Math.max(1, Math.round(n * 0.382));
  while (gcd(step, n) !== 1) step++;
  return Math.round(((((ka * kw + kb) * step) % n) * 360) / n + 20) % 360;
}

function gcd(a, b) {
  return b ? gcd(b, a % b) : a;
}
