import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from './main.js';

// One bundle (dist/index.js) serves both entries: a runner starts it as the action, and
// bin/lambda-shell-runtime.js imports it for runCli, so the two cannot drift apart.
export { runCli } from './cli.js';

/** Whether node was started on this file (the action), rather than it being imported (the CLI). */
function startedAsAction(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedAsAction()) {
  // Only a runner starts the action: speak its protocol (add-mask, groups, annotations) as
  // @actions/core always does, even where a runner-like host leaves GITHUB_ACTIONS unset (the
  // logger keeps plain lines for the CLI only).
  process.env.GITHUB_ACTIONS ||= 'true';
  await run();
}
