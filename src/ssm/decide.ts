import semver from 'semver';
import { latestName, releaseParameters } from '../aws/ssm-names.js';
import type { Architecture } from '../domain.js';
import { isLowerVersion, isPrerelease } from '../version.js';

export { archPath, latestName, versionName } from '../aws/ssm-names.js';

export interface LatestDecision {
  move: boolean;
  /** The release `latest` holds now, when it can be told. */
  current?: string;
  reason: string;
}

/**
 * Whether `latest` moves to `version`, from the parameters under <prefix>/<arch>: never for a
 * retracted release or a prerelease, and never back to a lower version than the release it holds (a backport), as the
 * major tag. The release latest holds is the highest version parameter with the same ARN; when
 * none has it (or there is no latest yet), the highest version parameter there is. Retracted
 * releases count as absent.
 */
export function decideLatest(
  existing: ReadonlyMap<string, string>,
  prefix: string,
  arch: Architecture,
  version: string,
  retracted: ReadonlySet<string> = new Set(),
): LatestDecision {
  if (retracted.has(version))
    return { move: false, reason: `${version} is retracted: latest is for releases in use` };
  if (isPrerelease(version))
    return { move: false, reason: `${version} is a prerelease: latest is for releases` };
  const latestValue = existing.get(latestName(prefix, arch));
  const versions = releaseParameters(existing, prefix, arch).filter(
    (entry) => entry.version !== version && !retracted.has(entry.version),
  );
  const highest = (list: typeof versions): string | undefined =>
    list.map((entry) => entry.version).sort(semver.rcompare)[0];
  const current =
    highest(versions.filter((entry) => entry.value === latestValue)) ?? highest(versions);
  if (current && isLowerVersion(version, current))
    return { move: false, current, reason: `kept at ${current}: ${version} is a backport` };
  return { move: true, current, reason: '' };
}
