/**
 * The domain's values, as every step takes them once the edges (the action's context, each CLI
 * command) have parsed the raw inputs (parsers.ts).
 */

export const ARCHITECTURES = ['arm64', 'amd64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Lambda's name for an architecture (CompatibleArchitectures). */
export const lambdaArchitecture = (arch: Architecture): 'arm64' | 'x86_64' =>
  arch === 'amd64' ? 'x86_64' : 'arm64';
/** Docker's platform for an architecture. */
export const dockerPlatform = (arch: Architecture): string => `linux/${arch}`;

export const STEPS = ['build', 'test', 'release', 'publish', 'canary', 'ssm', 'sar'] as const;
/** Steps that run only when named, and alone: never part of `all`. */
export const SOLO_STEPS = ['retract'] as const;
export type Step = (typeof STEPS)[number] | (typeof SOLO_STEPS)[number];

export const BUILDERS = ['docker', 'local'] as const;
export type Builder = (typeof BUILDERS)[number];

export type Share =
  | { kind: 'public' }
  | { kind: 'none' }
  | { kind: 'accounts'; accounts: string[] }
  | { kind: 'organization'; organizationId: string };

/** How align-versions makes filler versions (copies of the new zip, or the earlier releases' own). */
export type AlignMode = 'fill' | 'replay';

export interface Repository {
  owner: string;
  repo: string;
}

/** A layer name pattern's name for one architecture. */
export const layerName = (pattern: string, arch: Architecture): string =>
  pattern.replaceAll('{arch}', arch);

/** A bucket pattern's bucket in one region. */
export const s3BucketFor = (pattern: string, region: string): string =>
  pattern.replaceAll('{region}', region);
