import semver from 'semver';
import type { Architecture } from '../domain.js';
import { isPrerelease } from '../version.js';

/**
 * The SSM parameter names the ssm and retract steps share: <prefix>/<arch>/latest,
 * <prefix>/<arch>/<version> (a layer version ARN each) and <prefix>/<arch>/retracted/<version>,
 * the record that a release was retracted (its value the reason). The marker sits one level
 * down, so a non-recursive read of <prefix>/<arch> sees only latest and the versions.
 */
export const LATEST = 'latest';
export const RETRACTED = 'retracted';

/** SSM names allow no "+": build metadata's becomes "_" (never in a semver, so it reads back). */
export const versionSegment = (version: string): string => version.replaceAll('+', '_');
export const segmentVersion = (segment: string): string | undefined => {
  const version = segment.replaceAll('_', '+');
  // semver.valid would drop the build metadata: keep the name as released.
  return semver.valid(version) ? version : undefined;
};

export const archPath = (prefix: string, arch: Architecture): string => `${prefix}/${arch}`;
export const latestName = (prefix: string, arch: Architecture): string =>
  `${archPath(prefix, arch)}/${LATEST}`;
export const versionName = (prefix: string, arch: Architecture, version: string): string =>
  `${archPath(prefix, arch)}/${versionSegment(version)}`;
export const retractedPath = (prefix: string, arch: Architecture): string =>
  `${archPath(prefix, arch)}/${RETRACTED}`;
export const retractedName = (prefix: string, arch: Architecture, version: string): string =>
  `${retractedPath(prefix, arch)}/${versionSegment(version)}`;

/** The release versions (no prereleases) of the parameters under <prefix>/<arch>, with their ARNs. */
export function releaseParameters(
  existing: ReadonlyMap<string, string>,
  prefix: string,
  arch: Architecture,
): { version: string; value: string }[] {
  const base = archPath(prefix, arch).length + 1;
  const versions: { version: string; value: string }[] = [];
  for (const [name, value] of existing) {
    const parsed = segmentVersion(name.slice(base));
    if (parsed && !isPrerelease(parsed)) versions.push({ version: parsed, value });
  }
  return versions;
}

/** The versions a set of retracted markers (names under <prefix>/<arch>/retracted) names. */
export function retractedVersions(markers: ReadonlyMap<string, string>): Set<string> {
  const versions = new Set<string>();
  for (const name of markers.keys()) {
    const parsed = segmentVersion(name.slice(name.lastIndexOf('/') + 1));
    if (parsed) versions.add(parsed);
  }
  return versions;
}
