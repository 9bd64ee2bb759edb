// Entry point: bring every explorer on the page to life. Each is independent.

import { Explorer } from "./explorer.js";

for (const root of document.querySelectorAll('[data-widget="convtranspose"]')) {
  const explorer = new Explorer(root);
  root.stride = explorer; // handy from the console and for the benchmark
  explorer.start().catch((error) => explorer.fail(`The explorer stopped: ${error.message}`));
}
