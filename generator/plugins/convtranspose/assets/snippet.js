// "Copy as PyTorch": a complete program that rebuilds the layer on screen with nn.ConvTranspose2d
// (per-axis tuples, no bias), loads the sample weights and input that Numbers mode shows, and
// prints the output as a nested list, so pasting it into Python reproduces the output grid.

import { PARAMS } from "./data.js";

const ARGS = { kernel: "kernel_size", stride: "stride", padding: "padding", output_padding: "output_padding", dilation: "dilation" };

function nested(rows, cols, value) {
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const row = [];
    for (let c = 0; c < cols; c++) row.push(String(value(r, c)));
    lines.push(`[${row.join(", ")}]`);
  }
  return `[[[${lines.join(",\n    ")}]]]`;
}

/** The program's text for a state of Explorer.state() ({height, width, kernel_h, kernel_w, ...}):
 * every parameter as PyTorch's (height, width) tuple. `x(a, b)` and `w(ka, kb)` give the sample
 * input and weight values. */
export function pytorchSnippet(st, x, w) {
  const kh = st.kernel_h;
  const kw = st.kernel_w;
  const args = PARAMS.map((name) => `${ARGS[name]}=(${st[`${name}_h`]}, ${st[`${name}_w`]})`);
  return [
    "import torch",
    "import torch.nn as nn",
    "",
    `layer = nn.ConvTranspose2d(1, 1, ${args.join(", ")}, bias=False)`,
    "with torch.no_grad():",
    `    layer.weight.copy_(torch.tensor(${nested(kh, kw, w).replaceAll("\n", "\n    ")}))`,
    `x = torch.tensor(${nested(st.height, st.width, x)}, dtype=torch.float32)`,
    `print(layer(x)[0, 0].tolist())  # ${st.height}x${st.width} input -> output of the explorer`,
    "",
  ].join("\n");
}

/** Show `text` in the widget's code box (created on first use, after the toolbar). */
export function showSnippet(root, text) {
  let box = root.querySelector("pre[data-pytorch]");
  if (!box) {
    const details = document.createElement("details");
    details.className = "ct-snippet";
    const summary = document.createElement("summary");
    summary.textContent = "PyTorch program for this setting";
    box = document.createElement("pre");
    box.setAttribute("data-pytorch", "");
    box.tabIndex = 0; // scrollable region: reachable from the keyboard
    details.append(summary, box);
    root.querySelector(".ct-toolbar").after(details);
  }
  if (box.textContent !== text) box.textContent = text;
}
