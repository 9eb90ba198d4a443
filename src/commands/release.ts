import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LAYERS_JSON,
  SHA256SUMS,
  assertReleasable,
  readLayerZips,
  type LayersDocument,
} from '../dist.js';
import { InputError } from '../errors.js';
import { parseRepository, parseTag, parseVersion } from '../inputs.js';
import { log } from '../log.js';
import { releaseAssets } from '../release/index.js';
import { stringOption, type Command } from './command.js';
import { tokenFrom } from './github-token.js';

/** The token from the named variable, masked at once; '' only in a dry run (which sends nothing). */
function readToken(variable: string, dryRun: boolean): string {
  const token = tokenFrom(variable);
  if (token) return token;
  if (!dryRun)
    throw new InputError(
      variable,
      '',
      `a GitHub token with contents: write in ${variable} (or name another variable with --token-env)`,
    );
  log.warning(`${variable} is not set: fine for a dry run, a real run needs it`);
  return '';
}

/** layers.json when it belongs to this version: an older publish's file must not ship with it. */
async function layersJsonFor(distDir: string, version: string): Promise<string[]> {
  const path = join(distDir, LAYERS_JSON);
  let document: LayersDocument;
  try {
    document = JSON.parse(await readFile(path, 'utf8')) as LayersDocument;
  } catch {
    return [];
  }
  if (document.version === version) return [path];
  log.warning(`${path} is for version ${document.version}, not ${version}: not attached`);
  return [];
}

/** Every zip of the version (checked against SHA256SUMS), SHA256SUMS, and layers.json if any. */
export async function releaseFiles(distDir: string, version: string): Promise<string[]> {
  const zips = await readLayerZips(distDir, version);
  return [
    ...zips.map((zip) => zip.path),
    join(distDir, SHA256SUMS),
    ...(await layersJsonFor(distDir, version)),
  ];
}

export const releaseCommand: Command = {
  name: 'release',
  summary: 'Create or update the GitHub release of a version and attach the layer zips',
  usage: [
    '  --dist DIR                 the dist folder of "build" (default: out, as build --out)',
    '  --version X.Y.Z            the version to release (required)',
    '  --tag TAG                  the release tag (default: v<version>)',
    '  --repository OWNER/REPO    default: GITHUB_REPOSITORY',
    '  --draft                    leave the release a draft',
    '  --target COMMITISH         where GitHub creates the tag if it does not exist yet',
    '  --token-env NAME           the variable holding the token (default: GITHUB_TOKEN)',
    '  --dry-run                  print the plan, send no request',
    '  --allow-unreleasable       release zips from the local builder anyway',
    '',
    'GITHUB_API_URL selects GitHub Enterprise Server (https://host/api/v3).',
  ].join('\n'),
  options: {
    dist: { type: 'string' },
    version: { type: 'string' },
    tag: { type: 'string' },
    repository: { type: 'string' },
    draft: { type: 'boolean' },
    target: { type: 'string' },
    'token-env': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-unreleasable': { type: 'boolean' },
  },
  async run(values) {
    const dryRun = values['dry-run'] === true;
    const tokenVariable = stringOption(values, 'token-env', 'GITHUB_TOKEN');
    const token = readToken(tokenVariable, dryRun);
    const distDir = stringOption(values, 'dist', 'out');
    if (!distDir) throw new InputError('--dist', '', 'the dist folder written by "build"');
    const version = parseVersion(stringOption(values, 'version'), '', '--version');
    const tag = parseTag(stringOption(values, 'tag', `v${version}`), '--tag');
    const repository = parseRepository(
      stringOption(values, 'repository', process.env.GITHUB_REPOSITORY ?? ''),
      '--repository',
    );
    await assertReleasable(distDir, dryRun, values['allow-unreleasable'] === true);
    const result = await releaseAssets({
      token,
      repository,
      tag,
      version,
      files: await releaseFiles(distDir, version),
      draft: values.draft === true,
      dryRun,
      targetCommitish: stringOption(values, 'target') || undefined,
    });
    process.stdout.write(`${result.url}\n`);
    return 0;
  },
};
