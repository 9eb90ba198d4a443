#!/usr/bin/env node
// The CLI runs the committed bundle (the action's own dist/index.js), so it works right after
// `npm ci` with no compile step.
import { runCli } from '../dist/index.js';

process.exitCode = await runCli(process.argv.slice(2));
