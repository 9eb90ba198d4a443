import semver from 'semver';
import { releaseParameters } from '../aws/ssm-names.js';
import type { Architecture } from '../domain.js';

/** Where <prefix>/<arch>/latest goes once `retracted` (every retracted release) is out. */
export type LatestMove =
  | { kind: 'stay'; reason: string }
  | { kind: 'move'; to: string; value: string }
  | { kind: 'orphan'; reason: string };

/**
 * latest moves only when it holds the ARN of a retracted release: back to the newest release
 * (by semver, no prereleases) whose version parameter is not retracted. A latest on another
 * release (a newer one, or one set by hand) stays.
 */
export function latestAfterRetract(
  parameters: ReadonlyMap<string, string>,
  latestValue: string | undefined,
  prefix: string,
  arch: Architecture,
  retracted: ReadonlySet<string>,
): LatestMove {
  const releases = releaseParameters(parameters, prefix, arch);
  const retractedArns = new Set(
    releases.filter((entry) => retracted.has(entry.version)).map((entry) => entry.value),
  );
  if (latestValue === undefined) return { kind: 'stay', reason: 'no latest parameter' };
  if (!retractedArns.has(latestValue))
    return { kind: 'stay', reason: 'latest holds a release that is not retracted' };
  const candidates = releases
    .filter((entry) => !retracted.has(entry.version) && !retractedArns.has(entry.value))
    .sort((a, b) => semver.rcompare(a.version, b.version));
  const newest = candidates[0];
  if (!newest)
    return {
      kind: 'orphan',
      reason: 'no release left that is not retracted: latest still names the retracted one',
    };
  return { kind: 'move', to: newest.version, value: newest.value };
}
