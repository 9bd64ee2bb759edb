// "Copy as PyTorch": a complete program that rebuilds the layer on screen with nn.ConvTranspose2d
// (per-axis tuples, no bias), loads the sample weights and input that Numbers mode shows, and
// prints the output as a nested list, so pasting it into Python reproduces the output grid.

import { PARAMS, axis } from "./axes.js";

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

/** The program's text. `x(a, b)` and `w(ka, kb)` give the sample input and weight values. */
export function pytorchSnippet(st, x, w) {
  const kh = axis(st, "kernel", "h");
  const kw = axis(st, "kernel", "w");
  const args = PARAMS.map((name) => `${ARGS[name]}=(${axis(st, name, "h")}, ${axis(st, name, "w")})`);
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

/** In Numbers mode every output cell carries its value in data-value; otherwise none does. */
export function markValues(root, model, numbers) {
  const cells = root.querySelectorAll('[data-grid="output"], figure[data-key="conv-output"] g.ct-cell');
  for (const cell of cells) {
    if (numbers && model) cell.dataset.value = model.y(Number(cell.dataset.row), Number(cell.dataset.col));
    else delete cell.dataset.value;
  }
}
