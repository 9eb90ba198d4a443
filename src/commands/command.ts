import type { ParseArgsConfig } from 'node:util';
import type { AwsTuning } from '../aws/clients.js';
import type { ClientTuning } from '../github/client.js';
import { parsePositiveInteger } from '../parsers.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** One CLI command: a thin layer over a step module, parsed with node:util parseArgs. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The option lines of `--help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command; resolves to the process exit code. */
  run(values: OptionValues, positionals: string[], pacing?: Pacing): Promise<number>;
}

/**
 * How the remote services are paced. The CLI passes none: GitHub's and the SDK's own pacing.
 * Tests shrink the waits (never the attempts) through the same edge.
 */
export interface Pacing {
  github?: ClientTuning;
  aws?: AwsTuning;
}

/** A string flag's value, or the fallback. */
export const stringOption = (values: OptionValues, name: string, fallback = ''): string => {
  const value = values[name];
  return typeof value === 'string' ? value : fallback;
};

/** A positive whole number flag, or undefined when absent. */
export function positiveIntegerOption(values: OptionValues, name: string): number | undefined {
  const raw = stringOption(values, name);
  return raw ? parsePositiveInteger(raw, name) : undefined;
}
