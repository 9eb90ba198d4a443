import { regionInfo } from './aws/regions.js';
import { InputError } from './errors.js';
import { semanticVersion } from './version.js';
import {
  ARCHITECTURES,
  BUILDERS,
  SOLO_STEPS,
  STEPS,
  layerName,
  type AlignMode,
  type Architecture,
  type Builder,
  type Repository,
  type Share,
  type Step,
} from './domain.js';

/**
 * Parsers shared by the action's context (INPUT_* variables) and the CLI (flags): each turns one
 * raw string into a typed value (domain.ts) or throws an InputError naming the input and what is
 * allowed. Only the edges call them: steps take the typed values.
 */

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const LAYER_NAME = /^[a-zA-Z0-9_-]{1,140}$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AWS_CLI_VERSION = /^2\.\d+\.\d+$/;

/** Splits a list input on commas, whitespace or newlines; drops empties and duplicates, keeps order. */
export function parseList(value: string): string[] {
  return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
}

function parseChoices<T extends string>(
  input: string,
  value: string,
  allowed: readonly T[],
  also = '',
): T[] {
  const expected = `one or more of ${allowed.join(', ')}${also}`;
  const items = parseList(value);
  if (items.length === 0) throw new InputError(input, value, expected);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new InputError(input, item, expected);
  }
  return items as T[];
}

export function parseArchitectures(value: string, input = 'architectures'): Architecture[] {
  // x86_64 is Lambda's spelling of amd64: accept it, name it the Docker way.
  return [...new Set(parseChoices(input, value.replace(/\bx86_64\b/g, 'amd64'), ARCHITECTURES))];
}

export function parseSteps(value: string, input = 'steps'): Step[] {
  if (value.trim() === '' || value.trim() === 'all') return [...STEPS];
  const known = [...STEPS, ...SOLO_STEPS] as const;
  const chosen = parseChoices(input, value, known, ', or all');
  if (chosen.some((step) => (SOLO_STEPS as readonly string[]).includes(step)) && chosen.length > 1)
    throw new InputError(input, value, 'retract alone (it runs on its own, after a release)');
  return known.filter((step) => chosen.includes(step));
}

export function parseBuilder(value: string, input = 'builder'): Builder {
  const [builder, ...rest] = parseChoices(input, value, BUILDERS);
  if (rest.length > 0) throw new InputError(input, value, `one of ${BUILDERS.join(', ')}`);
  return builder;
}

/**
 * Region codes the AWS SDK's partition data lists (us-east-10 only looks like one), all in one
 * partition: a run's credentials belong to one partition (aws, aws-cn, aws-us-gov, aws-eusc…).
 */
export function parseRegions(value: string, input = 'regions', required = false): string[] {
  const regions = parseList(value);
  if (required && regions.length === 0)
    throw new InputError(input, value, 'one or more AWS region codes');
  const partitions = new Map<string, string>();
  for (const region of regions) {
    const info = regionInfo(region);
    if (!info)
      throw new InputError(
        input,
        region,
        'AWS region codes the AWS SDK knows, such as us-east-1, eu-west-1, cn-north-1, us-gov-west-1',
      );
    if (!partitions.has(info.partition)) partitions.set(info.partition, region);
  }
  if (partitions.size > 1) {
    const found = [...partitions].map(([name, region]) => `${region} (${name})`).join(', ');
    throw new InputError(
      input,
      value,
      `regions of one AWS partition per run (credentials belong to one), not ${found}`,
    );
  }
  return regions;
}

/** Exactly one region code (sar's region). */
export function parseRegion(value: string, input = 'region'): string {
  const regions = parseRegions(value, input, true);
  if (regions.length > 1) throw new InputError(input, value, 'one AWS region code');
  return regions[0];
}

export function parseShare(value: string, input = 'share'): Share {
  const trimmed = value.trim();
  const allowed =
    '"public", "none", a list of 12-digit AWS account ids, or an organization id (o-xxxxxxxxxx)';
  if (trimmed === 'public') return { kind: 'public' };
  if (trimmed === 'none' || trimmed === '') return { kind: 'none' };
  if (ORGANIZATION_ID.test(trimmed)) return { kind: 'organization', organizationId: trimmed };
  const accounts = parseList(trimmed);
  if (accounts.every((account) => ACCOUNT_ID.test(account))) return { kind: 'accounts', accounts };
  throw new InputError(input, value, allowed);
}

/** `version` input or, when empty, the pushed tag (refs/tags/v1.2.3 → 1.2.3); always semver. */
export function parseVersion(value: string, ref = '', input = 'version'): string {
  const fromTag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : '';
  const raw = value.trim() || fromTag;
  if (!raw)
    throw new InputError(
      input,
      value,
      'a semantic version (1.2.3), or a run on a pushed tag v1.2.3',
    );
  const version = semanticVersion(raw);
  if (!version) {
    throw new InputError(
      value.trim() ? input : `${input} (from ${ref})`,
      raw,
      'a semantic version such as 1.2.3 or v1.2.3-rc.1',
    );
  }
  return version;
}

/** A whole number of at least 1 (concurrency, timeouts). */
export function parsePositiveInteger(value: string, input: string): number {
  if (!/^[1-9]\d*$/.test(value.trim()))
    throw new InputError(input, value, 'a whole number of at least 1');
  return Number(value.trim());
}

/** Zip timestamps in seconds since 1970 (SOURCE_DATE_EPOCH); undefined when unset. */
export function parseSourceDateEpoch(
  value: string,
  input = 'SOURCE_DATE_EPOCH',
): number | undefined {
  if (value.trim() === '') return undefined;
  if (!/^\d+$/.test(value.trim())) throw new InputError(input, value, 'seconds since 1970');
  return Number(value.trim());
}

/** A true/false input, as core.getBooleanInput reads it (YAML 1.2 core schema). */
export function parseBoolean(value: string, input: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value.trim())) return true;
  if (['false', 'False', 'FALSE', ''].includes(value.trim())) return false;
  throw new InputError(input, value, 'true or false');
}

/** A layer name pattern; `{arch}` becomes arm64 or amd64. Checked against Lambda's LayerName rule. */
export function parseLayerName(value: string, input = 'layer-name'): string {
  const pattern = value.trim() || 'lambda-shell-runtime-{arch}';
  for (const arch of ARCHITECTURES) {
    if (!LAYER_NAME.test(layerName(pattern, arch))) {
      throw new InputError(
        input,
        value,
        'letters, digits, - and _ (1 to 140), with an optional {arch} placeholder',
      );
    }
  }
  if (!pattern.includes('{arch}')) {
    throw new InputError(
      input,
      value,
      'a pattern with the {arch} placeholder, since each architecture needs its own layer',
    );
  }
  return pattern;
}

/** An S3 bucket name, or a pattern with a {region} placeholder for a bucket per region; '' when unset. */
export function parseS3Bucket(value: string, input = 's3-bucket'): string {
  const pattern = value.trim();
  if (pattern && !S3_BUCKET.test(pattern.replaceAll('{region}', 'us-east-1'))) {
    throw new InputError(
      input,
      value,
      'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), optionally with {region}',
    );
  }
  return pattern;
}

export function parseAwsCliVersion(value: string, input = 'aws-cli-version'): string {
  const version = value.trim();
  if (!AWS_CLI_VERSION.test(version))
    throw new InputError(input, value, 'an AWS CLI v2 version such as 2.27.0');
  return version;
}

export function parseRepository(value: string, input = 'repository'): Repository {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value.trim());
  if (!match)
    throw new InputError(input, value, 'owner/repo (or GITHUB_REPOSITORY in the environment)');
  return { owner: match[1], repo: match[2] };
}

// git check-ref-format, in short: what GitHub accepts as a tag name.
const TAG = /^(?!-)(?!.*(?:\.\.|@\{|\/\/|\.lock$|[/.]$))[^\s~^:?*[\\\p{Cc}]+$/u;

export function parseTag(value: string, input = 'tag'): string {
  if (!TAG.test(value)) throw new InputError(input, value, 'a git tag name such as v1.2.3');
  return value;
}

/** A retraction's reason: one line of at most 1000 characters (the release notes, the SSM value). */
export function parseReason(value: string, input = 'reason'): string {
  const reason = value.trim();
  if (reason.length > 1000)
    throw new InputError(input, `${reason.slice(0, 40)}…`, 'at most 1000 characters');
  return reason;
}

/**
 * align-versions: false (off, the default), fill (true says the same: today's fillers, copies of
 * the new zip) or replay (the earlier releases' own versions).
 */
export function parseAlignVersions(value: string, input = 'align-versions'): AlignMode | undefined {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'false') return undefined;
  if (text === 'true' || text === 'fill') return 'fill';
  if (text === 'replay') return 'replay';
  throw new InputError(input, value, 'false, fill (or true) or replay');
}
