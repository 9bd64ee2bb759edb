// Per-axis parameters from an explorer state. A state either holds one value per parameter
// ({kernel, stride, ...}, both axes equal) or one per axis ({kernel_h, kernel_w, ...}); these
// helpers read both, so the modules built on them do not care which the controls produce.

export const PARAMS = ["kernel", "stride", "padding", "output_padding", "dilation"];

/** The value of `name` ("kernel", ...) along axis "h" (rows) or "w" (columns). */
export function axis(st, name, ax) {
  return st[`${name}_${ax}`] ?? st[name];
}

/** [n, k, s, p, o, d] along axis "h" or "w", in the order of the Python notes module. */
export function axisParams(st, ax) {
  return [ax === "h" ? st.height : st.width, ...PARAMS.map((name) => axis(st, name, ax))];
}
