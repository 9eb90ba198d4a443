import type { Command } from './command.js';
import { invokeCommand } from './invoke.js';
import { publishCommand } from './publish.js';
import { releaseCommand } from './release.js';
import { sarCommand } from './sar.js';

/** Every CLI command, in the order of the pipeline. */
export const commands: Command[] = [invokeCommand, releaseCommand, publishCommand, sarCommand];
