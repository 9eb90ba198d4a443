import { run } from './main.js';

// Entry of the action bundle (dist/index.js), which only a runner starts: speak its protocol
// (add-mask, groups, annotations) as @actions/core always does, even where a runner-like host
// leaves GITHUB_ACTIONS unset (the logger keeps plain lines for the CLI only).
process.env.GITHUB_ACTIONS ||= 'true';
await run();
