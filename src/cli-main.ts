import { runCli } from './cli.js';

// Entry of the CLI bundle (dist/cli/index.js).
process.exitCode = await runCli(process.argv.slice(2));
