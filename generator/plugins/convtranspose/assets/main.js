// Entry point: bring every explorer on the page to life. Each is independent.

import { Explorer } from "./explorer.js";

for (const root of document.querySelectorAll('[data-widget="convtranspose"]')) {
  // The controls and views ship inert in a <template> (feeds and readers without JavaScript see
  // the static picture instead); put them in place before the explorer looks for them.
  const interactive = root.querySelector('template[data-role="interactive"]');
  if (interactive) interactive.replaceWith(interactive.content);
  root.classList.add("ct-live");
  const explorer = new Explorer(root);
  root.stride = explorer; // handy from the console and for the benchmark
  explorer.start().catch((error) => explorer.fail(`The explorer stopped: ${error.message}`));
}
