// Loading and decoding the precomputed data (docs/data-format.md). Nothing here recomputes the
// arithmetic: a 2-D state is the composition of one axis file used for rows and for columns.

export const SLIDERS = ["height", "width", "kernel", "stride", "padding", "output_padding", "dilation"];
const FORMAT = 1;

export class DataSource {
  constructor(manifestUrl) {
    this.manifestUrl = new URL(manifestUrl, document.baseURI);
    this.files = new Map(); // url -> Promise of parsed JSON
    this.ready = new Map(); // url -> parsed JSON, once loaded
    this.bytes = 0; // bytes fetched so far (for the benchmark)
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

  axisUrl(manifest, k, s, p, o, d) {
    const rel = manifest.axis.replace("{k}", k).replace("{s}", s).replace("{p}", p)
      .replace("{o}", o).replace("{d}", d);
    return new URL(rel, this.manifestUrl).href;
  }

  fetchJson(url) {
    if (!this.files.has(url)) {
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

  /** The axis document of a state, synchronously when already loaded (else undefined). */
  cached(manifest, st) {
    return this.ready.get(this.axisUrl(manifest, st.kernel, st.stride, st.padding, st.output_padding, st.dilation));
  }

  axis(manifest, st) {
    return this.fetchJson(this.axisUrl(manifest, st.kernel, st.stride, st.padding, st.output_padding, st.dilation));
  }

  /** Fetch the files of every state one slider step away, so the next move needs no network. */
  prefetch(manifest, st) {
    for (const name of SLIDERS.slice(2)) {
      for (const step of [-1, 1]) {
        const value = st[name] + step;
        const [lo, hi] = manifest.ranges[name];
        if (value < lo || value > hi) continue;
        const next = { ...st, [name]: value };
        this.axis(manifest, next).catch(() => {});
      }
    }
  }
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

/** Either {valid: false, message, nearest} or the decoded 2-D model of a state. */
export function decode(manifest, doc, st) {
  const { height: h, width: w, kernel: k, stride: s, padding: p, output_padding: o, dilation: d } = st;
  const nearest = nearestOf(doc, h, w);
  if (doc.rule === "output_padding") {
    return { valid: false, nearest,
      message: fill(manifest.rules.output_padding, { oph: o, opw: o, sh: s, sw: s, dh: d, dw: d }) };
  }
  const jh = h - doc.n[0];
  const jw = w - doc.n[0];
  const H = doc.L[jh];
  const W = doc.L[jw];
  if (H < 1 || W < 1) {
    return { valid: false, nearest, message: fill(manifest.rules.output_size, { h, w, oh: H, ow: W }) };
  }
  const gather = (j, L) => {
    const go = doc.go[j], ga = doc.ga[j], gk = doc.gk[j];
    const out = [];
    for (let i = 0; i < L; i++) {
      const list = [];
      for (let e = go[i]; e < go[i + 1]; e++) list.push([ga[e], gk[e]]);
      out.push(list);
    }
    return out;
  };
  const scatter = (j, n) => {
    const so = doc.so[j], si = doc.si[j], sk = doc.sk[j];
    const out = [];
    for (let a = 0; a < n; a++) {
      const list = [];
      for (let e = so[a]; e < so[a + 1]; e++) list.push([si[e], sk[e]]);
      out.push(list);
    }
    return out;
  };
  const sample = manifest.sample;
  return {
    valid: true, st, h, w, k, s, p, o, d, H, W, D: d * (k - 1), pl: doc.pl, ph: doc.ph,
    rowGather: gather(jh, H), colGather: gather(jw, W),
    rowScatter: scatter(jh, h), colScatter: scatter(jw, w),
    rowCount: doc.cnt[jh], colCount: doc.cnt[jw],
    rowKind: doc.xk[jh], colKind: doc.xk[jw],
    rowCropLow: doc.cl[jh], rowCropHigh: doc.ch[jh], colCropLow: doc.cl[jw], colCropHigh: doc.ch[jw],
    yr: doc.yr[jh], yc: doc.yc[jw],
    x: (a, b) => sample.u[a] * sample.v[b],
    wv: (ka, kb) => sample.f[ka] * sample.g[kb],
    y: (i, j) => doc.yr[jh][i] * doc.yc[jw][j],
  };
}

function nearestOf(doc, h, w) {
  const flat = doc.near;
  for (let at = 0; at < flat.length; at += 9) {
    if (flat[at] === h && flat[at + 1] === w) {
      const values = flat.slice(at + 2, at + 9);
      return Object.fromEntries(SLIDERS.map((name, index) => [name, values[index]]));
    }
  }
  return null;
}

/** Every (a, b, ka, kb) feeding output (i, j): the row pairs times the column pairs. */
export function contributionsOf(model, i, j) {
  const out = [];
  for (const [a, ka] of model.rowGather[i]) {
    for (const [b, kb] of model.colGather[j]) out.push([a, b, ka, kb]);
  }
  return out;
}

/** Every (i, j, ka, kb) that input (a, b) reaches. */
export function footprintOf(model, a, b) {
  const out = [];
  for (const [i, ka] of model.rowScatter[a]) {
    for (const [j, kb] of model.colScatter[b]) out.push([i, j, ka, kb]);
  }
  return out;
}

/** Every (a, b, i, j) that kernel tap (ka, kb) links. */
export function linksOf(model, ka, kb) {
  const rows = [];
  model.rowScatter.forEach((list, a) => list.forEach(([i, t]) => { if (t === ka) rows.push([a, i]); }));
  const cols = [];
  model.colScatter.forEach((list, b) => list.forEach(([j, t]) => { if (t === kb) cols.push([b, j]); }));
  const out = [];
  for (const [a, i] of rows) for (const [b, j] of cols) out.push([a, b, i, j]);
  return out;
}
