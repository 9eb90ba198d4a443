#!/usr/bin/env node
// The CLI runs the committed bundle, so it works right after `npm ci` with no compile step.
import '../dist/cli/index.js';
