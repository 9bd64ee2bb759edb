// Entry point: every conv1d explorer on the page, each on its own.

import { Explorer } from "./explorer.js";

for (const root of document.querySelectorAll('[data-widget="conv1d"]')) {
  const explorer = new Explorer(root);
  root.conv1d = explorer; // for the console and the tests
  explorer.start().catch((error) => explorer.fail(`The explorer stopped: ${error.message}`));
}
