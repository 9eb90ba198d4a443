import * as core from '@actions/core';

// Entry of the action bundle (dist/index.js); the orchestration lands with the action issue.
core.info('lambda-shell-runtime action');
