// The sentences under the Overlap and Matrix views, each built from a computed condition.
// A mirror of generator/plugins/convtranspose/notes.py (see its docstring for the maths); a
// browser test requires the two to give the same text for every valid default setting.
// An axis is [n, k, s, p, o, d] of its own (rows: the height axis, columns: the width axis), as
// PyTorch takes every parameter per axis; counts and reaches are per output / input index.

const WORDS = ["rows", "columns"];
const NAMES = ["Rows", "Columns"];

/** The [n, k, s, p, o, d] of an axis model (model.rows or model.cols, see data.js decode). */
export function axisOf(ax) {
  return [ax.n, ax.k, ax.s, ax.p, ax.o, ax.d];
}

function gcd(a, b) {
  return b ? gcd(b, a % b) : a;
}

/** Half-open [lo, hi) of the interior output indices along one axis. */
export function interior([n, k, s, p, o, d]) {
  const length = (n - 1) * s - 2 * p + d * (k - 1) + o + 1;
  const lo = Math.max(0, d * (k - 1) - p);
  const hi = Math.min(length, (n - 1) * s - p + 1);
  return [lo, Math.max(lo, hi)];
}

export function evenInterior(k, s, d) {
  return k % s === 0 && gcd(s, d) === 1;
}

function countPhrase(values, each) {
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (low === high) return `${low} product${low === 1 ? "" : "s"} ${each}`;
  return `${low} to ${high} products`;
}

function whyUneven([, k, s, , , d], words, name) {
  const g = gcd(s, d);
  if (g > 1) return `${name} i with i + p not a multiple of gcd(s, d) = ${g} receive no product at all, border or not.`;
  const q = Math.floor(k / s);
  return `${name}: k = ${k} is not a multiple of s = ${s}, so interior ${words} receive ${q} or ${q + 1} ` +
    `products depending on (i + p) mod ${s}.`;
}

function whyEmpty([n, k, s, p, , d], words) {
  if (d * (k - 1) > (n - 1) * s) {
    return `along the ${words} the zero-inserted input (${(n - 1) * s + 1} cells) is shorter than the ` +
      `dilated kernel (${d * (k - 1) + 1} cells)`;
  }
  return `along the ${words} padding ${p} crops every interior index`;
}

export function overlapNote(rows, cols, rowCounts, colCounts) {
  const spans = [interior(rows), interior(cols)];
  const inner = [];
  const border = [];
  for (let i = 0; i < rowCounts.length; i++) {
    for (let j = 0; j < colCounts.length; j++) {
      const inside = spans[0][0] <= i && i < spans[0][1] && spans[1][0] <= j && j < spans[1][1];
      (inside ? inner : border).push(rowCounts[i] * colCounts[j]);
    }
  }
  const cells = rowCounts.length * colCounts.length;
  const sentences = [];
  if (!inner.length) {
    const reasons = [rows, cols].map((ax, at) => (spans[at][0] === spans[at][1] ? whyEmpty(ax, WORDS[at]) : null))
      .filter(Boolean);
    sentences.push("No cell is interior (its window on the As a convolution tab clear of the border): " +
      `${reasons.join(" and ")}.`);
  } else {
    sentences.push(`${inner.length} of the ${cells} cells are interior (their window on the As a convolution ` +
      `tab is clear of the border); they receive ${countPhrase(inner, "each")}.`);
  }
  const uneven = [rows, cols].map((ax, at) => (evenInterior(ax[1], ax[2], ax[5]) ? null : at)).filter((at) => at !== null);
  if (!uneven.length) {
    sentences.push("Along both axes s divides k and gcd(s, d) = 1, so away from the border every cell " +
      "receives the same count: no checkerboard.");
  } else {
    sentences.push("Away from the border the counts are uneven, a checkerboard:");
    if (uneven.length === 2 && rows[1] === cols[1] && rows[2] === cols[2] && rows[5] === cols[5]) {
      sentences.push(whyUneven(rows, "rows and columns", "Rows and columns"));
    } else {
      for (const at of uneven) sentences.push(whyUneven([rows, cols][at], WORDS[at], NAMES[at]));
    }
    if (inner.length && Math.min(...inner) === Math.max(...inner)) {
      sentences.push("The interior here is too small to show it; enlarge the input.");
    }
  }
  if (border.length) sentences.push(`The ${border.length} border cells receive ${countPhrase(border, "each")}.`);
  return sentences.join(" ");
}

export function matrixNote(rows, cols, rowReach, colReach) {
  const taps = rows[1] * cols[1];
  const h = rowReach.length;
  const w = colReach.length;
  const full = rowReach.filter((r) => r === rows[1]).length * colReach.filter((c) => c === cols[1]).length;
  if (full === h * w) return `Every column holds all ${taps} kernel weights, a full copy of the kernel; empty cells are zeros.`;
  const argmin = (list) => list.reduce((best, v, at) => (v < list[best] ? at : best), 0);
  const a = argmin(rowReach);
  const b = argmin(colReach);
  return `${full} of the ${h * w} columns hold all ${taps} kernel weights; padding crops taps from the others ` +
    `(column ${a * w + b}, input x[${a},${b}], holds ${rowReach[a] * colReach[b]} of ${taps}). Empty cells are zeros.`;
}
