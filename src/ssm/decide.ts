import semver from 'semver';
import type { Architecture } from '../domain.js';
import { isLowerVersion, isPrerelease } from '../version.js';

/** Parameter names: <prefix>/<arch>/latest and <prefix>/<arch>/<version>. */
export const LATEST = 'latest';

/** SSM names allow no "+": build metadata's becomes "_" (never in a semver, so it reads back). */
export const versionSegment = (version: string): string => version.replaceAll('+', '_');
const segmentVersion = (segment: string): string | undefined => {
  const version = segment.replaceAll('_', '+');
  // semver.valid would drop the build metadata: keep the name as released.
  return semver.valid(version) ? version : undefined;
};

export const archPath = (prefix: string, arch: Architecture): string => `${prefix}/${arch}`;
export const latestName = (prefix: string, arch: Architecture): string =>
  `${archPath(prefix, arch)}/${LATEST}`;
export const versionName = (prefix: string, arch: Architecture, version: string): string =>
  `${archPath(prefix, arch)}/${versionSegment(version)}`;

export interface LatestDecision {
  move: boolean;
  /** The release `latest` holds now, when it can be told. */
  current?: string;
  reason: string;
}

/**
 * Whether `latest` moves to `version`, from the parameters under <prefix>/<arch>: never for a
 * prerelease, and never back to a lower version than the release it holds (a backport), as the
 * major tag. The release latest holds is the highest version parameter with the same ARN; when
 * none has it (or there is no latest yet), the highest version parameter there is.
 */
export function decideLatest(
  existing: ReadonlyMap<string, string>,
  prefix: string,
  arch: Architecture,
  version: string,
): LatestDecision {
  if (isPrerelease(version))
    return { move: false, reason: `${version} is a prerelease: latest is for releases` };
  const latestValue = existing.get(latestName(prefix, arch));
  const versions: { version: string; value: string }[] = [];
  for (const [name, value] of existing) {
    const parsed = segmentVersion(name.slice(archPath(prefix, arch).length + 1));
    if (parsed && !isPrerelease(parsed) && parsed !== version)
      versions.push({ version: parsed, value });
  }
  const highest = (list: typeof versions): string | undefined =>
    list.map((entry) => entry.version).sort(semver.rcompare)[0];
  const current =
    highest(versions.filter((entry) => entry.value === latestValue)) ?? highest(versions);
  if (current && isLowerVersion(version, current))
    return { move: false, current, reason: `kept at ${current}: ${version} is a backport` };
  return { move: true, current, reason: '' };
}
