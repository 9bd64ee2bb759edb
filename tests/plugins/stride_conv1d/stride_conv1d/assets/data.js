// Loading and reading data.json (written by receptive.py). Nothing here recomputes Conv1d: the
// output length, the receptive field of every output and the sample outputs are all in the file.

const FORMAT = 1;
export const SLIDERS = ["length", "kernel", "stride", "padding", "dilation"];

export async function load(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${url}`);
  const data = await response.json();
  if (data.format !== FORMAT) throw new Error(`unsupported data format ${data.format} (this page reads ${FORMAT})`);
  return data;
}

/**
 * The model of one slider setting `st` ({length, kernel, stride, padding, dilation}):
 * either {valid: false, span, padded} (PyTorch refuses it: the dilated kernel spans more cells
 * than the padded input holds) or {valid: true, L, field(i), y, x, w} where field(i) lists the
 * [j, t] pairs of output i: input position j (negative or >= n is padding) meets tap t.
 */
export function modelOf(data, st) {
  const { length: n, kernel: k, stride: s, padding: p, dilation: d } = st;
  const entry = data.settings[`${k}-${s}-${p}-${d}`];
  const row = n - data.ranges.length[0];
  const L = entry.L[row];
  const base = { st, n, k, s, p, d, x: data.x.slice(0, n), w: data.w.slice(0, k) };
  if (L < 1) return { ...base, valid: false, span: d * (k - 1) + 1, padded: n + 2 * p };
  return {
    ...base, valid: true, L, y: entry.y[row],
    field: (i) => entry.field[i].map((j, t) => [j, t]),
  };
}

/** x[j], with the zero padding outside [0, n). */
export function inputAt(model, j) {
  return j >= 0 && j < model.n ? model.x[j] : 0;
}
