import { DEFAULT_DIST_DIR } from '../dist.js';
import { InputError } from '../errors.js';
import type { Command, OptionValues } from './command.js';

/**
 * The option specs the commands share, so one flag reads and explains the same everywhere; a
 * command lists the specs it takes and gets its parseArgs options and its --help lines from them.
 */
export interface OptionSpec {
  /** The flag as --help shows it: "--regions r1,r2". */
  flag: string;
  /** What it does; more lines continue under the first. */
  help: string[];
  /** The parseArgs options it stands for (a flag and its aliases). */
  config: Command['options'];
}

/** A flag taking a value (`arg` names it in --help), or a boolean when `arg` is ''. */
export function option(
  name: string,
  arg: string,
  ...help: string[]
): OptionSpec & { multiple(): OptionSpec } {
  const type = arg ? ('string' as const) : ('boolean' as const);
  const spec = { flag: arg ? `--${name} ${arg}` : `--${name}`, help, config: { [name]: { type } } };
  return { ...spec, multiple: () => ({ ...spec, config: { [name]: { type, multiple: true } } }) };
}

/** The same flag with help that fits one command. */
export const describedAs = (spec: OptionSpec, ...help: string[]): OptionSpec => ({ ...spec, help });

/** parseArgs options and --help lines of `specs`, then `notes` below them. */
export function defineOptions(
  specs: OptionSpec[],
  notes: string[] = [],
): Pick<Command, 'options' | 'usage'> {
  const width = Math.max(...specs.map((spec) => spec.flag.length)) + 2;
  const lines = specs.flatMap((spec) =>
    spec.help.map((text, index) => `  ${(index === 0 ? spec.flag : '').padEnd(width)} ${text}`),
  );
  return {
    options: Object.assign({}, ...specs.map((spec) => spec.config)),
    usage: [...lines, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n'),
  };
}

/** --out and --dist, the older names of --dist-dir, still work. */
const DIST_DIR_ALIASES = ['out', 'dist'];

export const DIST_DIR: OptionSpec = {
  flag: '--dist-dir DIR',
  help: [`the dist folder (default ${DEFAULT_DIST_DIR}; --out and --dist are aliases)`],
  config: Object.fromEntries(
    ['dist-dir', ...DIST_DIR_ALIASES].map((name) => [name, { type: 'string' as const }]),
  ),
};

/** The help of --dist-dir for the commands that read what publish wrote. */
export const LAYERS_JSON_HELP = [
  'the dist folder holding layers.json from publish',
  `(default ${DEFAULT_DIST_DIR}; --out and --dist are aliases)`,
];

/** The dist folder of --dist-dir or an alias (else `fallback`); two different ones are refused. */
export function distDirOf(values: OptionValues, fallback = DEFAULT_DIST_DIR): string {
  const given = ['dist-dir', ...DIST_DIR_ALIASES].flatMap((name) => {
    const value = values[name];
    return typeof value === 'string' ? [{ name, value }] : [];
  });
  if (new Set(given.map((flag) => flag.value)).size > 1)
    throw new InputError(
      '--dist-dir',
      given.map((flag) => `--${flag.name} ${flag.value}`).join(' '),
      'one dist folder (--out and --dist are other names of --dist-dir)',
    );
  return given[0]?.value ?? fallback;
}

export const VERSION = option('version', 'X.Y.Z', 'the version (required)');
export const REGIONS = option('regions', 'r1,r2', 'AWS regions');
export const SHARE = option(
  'share',
  'WHO',
  'public | none | account ids (a,b) | an organization id o-xxxxxxxxxx (default none)',
);
export const S3_BUCKET = option('s3-bucket', 'NAME', 'the S3 bucket ({region} for one per region)');
export const CONCURRENCY = option(
  'concurrency',
  'N',
  'region × architecture operations at once (default 4)',
);
export const ALLOW_UNRELEASABLE = option(
  'allow-unreleasable',
  '',
  'ship zips from the local builder anyway',
);
export const DRY_RUN = option('dry-run', '', 'print every call it would make, make none');
export const REPOSITORY = option('repository', 'OWNER/REPO', 'default: GITHUB_REPOSITORY');
export const TOKEN_ENV = option(
  'token-env',
  'NAME',
  'the variable holding the token (default: GITHUB_TOKEN)',
);
