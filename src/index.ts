import { run } from './main.js';

// Entry of the action bundle (dist/index.js).
await run();
