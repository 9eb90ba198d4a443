import type { Command } from './command.js';
import { invokeCommand } from './invoke.js';
import { releaseCommand } from './release.js';

/** Every CLI command, in the order of the pipeline. */
export const commands: Command[] = [invokeCommand, releaseCommand];
