import type { Command } from './command.js';

/** Every CLI command, in the order of the pipeline. */
export const commands: Command[] = [];
