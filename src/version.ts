import semver from 'semver';

/**
 * Semantic versions, read by the `semver` package everywhere, so that every step agrees:
 * 1.2.3-rc.1 is a prerelease; 1.2.3+build-1 is a release (build metadata is not a prerelease),
 * ordered as 1.2.3.
 */

/** The version of `text` ("1.2.3", "v1.2.3-rc.1", "1.2.3+build-1") without its "v", or undefined. */
export function semanticVersion(text: string): string | undefined {
  const version = text.trim().replace(/^v/, '');
  // semver.valid would drop the build metadata: keep the version as written.
  return semver.parse(version) ? version : undefined;
}

export const isPrerelease = (version: string): boolean => semver.prerelease(version) !== null;

/** True when `version` orders below `other` (build metadata ignored, as semver says). */
export const isLowerVersion = (version: string, other: string): boolean =>
  semver.lt(version, other);
