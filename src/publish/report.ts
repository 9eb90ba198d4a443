import type { Architecture } from '../domain.js';
import type { PublishResult } from './types.js';

/** What happened to one layer in one region: every row is reported, failed or not. */
export interface Outcome {
  region: string;
  arch: Architecture;
  layerName: string;
  status: 'published' | 'reused' | 'failed';
  version?: number;
  detail: string;
}

/** A fixed-width table of outcomes for the log. */
export function outcomeTable(outcomes: readonly Outcome[]): string {
  const header = ['region', 'arch', 'layer', 'version', 'outcome'];
  const rows = outcomes.map((outcome) => [
    outcome.region,
    outcome.arch,
    outcome.layerName,
    outcome.version === undefined ? '-' : String(outcome.version),
    outcome.detail ? `${outcome.status}: ${outcome.detail}` : outcome.status,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * Thrown after the table is logged and layers.json written when any region failed; carries the
 * result (every ARN that exists and every failure) for stdout and the action's outputs.
 */
export class PublishError extends Error {
  constructor(
    readonly failures: Outcome[],
    readonly result: PublishResult,
  ) {
    const regions = [...new Set(failures.map((failure) => failure.region))];
    const details = failures.map(
      (failure) => `${failure.region} ${failure.arch}: ${failure.detail}`,
    );
    super(`publishing failed in ${regions.join(', ')}:\n  ${details.join('\n  ')}`);
    this.name = 'PublishError';
  }
}
