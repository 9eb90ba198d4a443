import semver from 'semver';

/** The AWS CLI's repository: its v2 releases are tagged 2.x.y (1.x.y tags are the v1 line). */
export const AWS_CLI_REPOSITORY = { owner: 'aws', repo: 'aws-cli' };

/** A v2 release tag: exactly major.minor.patch with major 2 (no v prefix, no pre-release). */
const isV2Release = (name: string): boolean =>
  semver.valid(name) === name && semver.major(name) === 2 && !semver.prerelease(name);

/** The newest v2 release among tag names (any order, any other tags); undefined when none. */
export function newestV2(tagNames: string[]): string | undefined {
  return semver.rsort(tagNames.filter(isV2Release))[0];
}

export const isNewer = (latest: string, pinned: string): boolean => semver.gt(latest, pinned);
