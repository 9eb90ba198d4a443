import { assertReleasable } from '../dist.js';
import { InputError } from '../errors.js';
import { parseRepository, parseTag, parseVersion } from '../parsers.js';
import { log } from '../log.js';
import { releaseAssets, releaseFiles } from '../release/index.js';
import { stringOption, type Command } from './command.js';
import {
  ALLOW_UNRELEASABLE,
  DIST_DIR,
  DRY_RUN,
  REPOSITORY,
  TOKEN_ENV,
  VERSION,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';
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

export const releaseCommand: Command = {
  name: 'release',
  summary: 'Create or update the GitHub release of a version and attach the layer zips',
  ...defineOptions(
    [
      DIST_DIR,
      describedAs(VERSION, 'the version to release (required)'),
      option('tag', 'TAG', 'the release tag (default: v<version>)'),
      REPOSITORY,
      option('draft', '', 'leave the release a draft'),
      option('target', 'COMMITISH', 'where GitHub creates the tag if it does not exist yet'),
      TOKEN_ENV,
      describedAs(DRY_RUN, 'print the plan, send no request'),
      ALLOW_UNRELEASABLE,
    ],
    ['GITHUB_API_URL selects GitHub Enterprise Server (https://host/api/v3).'],
  ),
  async run(values, _positionals, pacing) {
    const dryRun = values['dry-run'] === true;
    const tokenVariable = stringOption(values, 'token-env', 'GITHUB_TOKEN');
    const token = readToken(tokenVariable, dryRun);
    const distDir = distDirOf(values);
    if (!distDir) throw new InputError('--dist-dir', '', 'the dist folder written by "build"');
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
      apiUrl: process.env.GITHUB_API_URL || undefined,
      serverUrl: process.env.GITHUB_SERVER_URL || undefined,
      tuning: pacing?.github,
    });
    process.stdout.write(`${result.url}\n`);
    return 0;
  },
};
