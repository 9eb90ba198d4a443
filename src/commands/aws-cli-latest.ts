import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AWS_CLI_REPOSITORY,
  BUMP_BRANCH,
  PIN_FILES,
  bumpAwsCli,
  isNewer,
  latestAwsCli,
  pinnedVersion,
} from '../aws-cli/index.js';
import { InputError } from '../errors.js';
import { parseRepository, parseTag } from '../parsers.js';
import { log } from '../log.js';
import { packageRoot } from '../paths.js';
import { connect } from '../github/client.js';
import { stringOption, type Command, type OptionValues } from './command.js';
import { tokenFrom } from './github-token.js';
import { DRY_RUN, REPOSITORY, TOKEN_ENV, defineOptions, describedAs, option } from './options.js';

/** The token in the named variable: listing the AWS CLI's ~40 pages of tags needs one. */
function requiredToken(variable: string, openPr: boolean): string {
  const token = tokenFrom(variable);
  if (token) return token;
  throw new InputError(
    variable,
    '',
    openPr
      ? `a GitHub token with contents: write and pull-requests: write in ${variable} (or name another variable with --token-env)`
      : `a GitHub token in ${variable} (any token: the tags are public, but unauthenticated requests run out after 60), or name another variable with --token-env`,
  );
}

/** The pin of this package (or of the --file list, read from the current folder). */
function localPin(files: string[], custom: boolean) {
  const root = custom ? process.cwd() : packageRoot;
  const present = files.map((path) => join(root, path)).filter((path) => existsSync(path));
  const pin = pinnedVersion(present.map((path) => ({ path, text: readFileSync(path, 'utf8') })));
  if (!pin) throw new InputError('--file', files.join(','), 'files that name the AWS CLI version');
  return pin;
}

const output = (values: Record<string, string>): void => {
  for (const [key, value] of Object.entries(values)) process.stdout.write(`${key}=${value}\n`);
};

export const awsCliLatestCommand: Command = {
  name: 'aws-cli-latest',
  summary:
    'Find the newest AWS CLI v2 release and whether it is newer than the pinned one; --open-pr bumps the pin in one pull request',
  ...defineOptions(
    [
      option('open-pr', '', 'open (or update) the one pull request that bumps the pin'),
      describedAs(REPOSITORY, 'the repository to bump (default: GITHUB_REPOSITORY)'),
      option('base', 'BRANCH', 'the branch the pull request goes to (default: the default branch)'),
      option('branch', 'NAME', `the bump branch, rewritten on each bump (default: ${BUMP_BRANCH})`),
      option(
        'file',
        'PATH',
        `a file holding the pin; repeat for each (default: ${PIN_FILES.join(', ')})`,
      ).multiple(),
      TOKEN_ENV,
      describedAs(DRY_RUN, 'with --open-pr: read, and print what would be written'),
    ],
    [
      'Prints latest=, pinned= and newer= lines (and with --open-pr, pull-request= and action=),',
      'ready to append to GITHUB_OUTPUT. GITHUB_API_URL selects another API host.',
    ],
  ),
  async run(values: OptionValues) {
    const openPr = values['open-pr'] === true;
    const custom = Array.isArray(values.file) && values.file.length > 0;
    const files = custom ? (values.file as string[]) : PIN_FILES;
    for (const file of files)
      if (!file || file.startsWith('/') || file.split('/').includes('..'))
        throw new InputError(
          '--file',
          file,
          'a path inside the repository, such as docker/Dockerfile',
        );
    const branch = parseTag(stringOption(values, 'branch', BUMP_BRANCH), '--branch');
    const base = stringOption(values, 'base');
    if (base) parseTag(base, '--base');
    const repository = openPr
      ? parseRepository(
          stringOption(values, 'repository', process.env.GITHUB_REPOSITORY ?? ''),
          '--repository',
        )
      : undefined;
    const token = requiredToken(stringOption(values, 'token-env', 'GITHUB_TOKEN'), openPr);
    const apiUrl = process.env.GITHUB_API_URL || undefined;

    const latest = await latestAwsCli(connect(token, AWS_CLI_REPOSITORY, apiUrl));
    if (!repository) {
      const pin = localPin(files, custom);
      output({ latest, pinned: pin.version, newer: String(isNewer(latest, pin.version)) });
      return 0;
    }
    const result = await bumpAwsCli({
      client: connect(token, repository, apiUrl),
      latest,
      files,
      base: base || undefined,
      branch,
      dryRun: values['dry-run'] === true,
    });
    const newer = isNewer(latest, result.pinned);
    const pull = result.pullRequest
      ? `pull request ${result.action}: ${result.pullRequest.url}`
      : 'nothing to do';
    log.info(
      newer
        ? `AWS CLI ${latest} is out (${result.pinnedIn} on ${result.base} pins ${result.pinned}): ${pull}`
        : `AWS CLI ${result.pinned} (${result.pinnedIn} on ${result.base}) is the newest v2 release: ${pull}`,
    );
    output({
      latest,
      pinned: result.pinned,
      newer: String(newer),
      'pull-request': result.pullRequest?.url ?? '',
      action: result.action,
    });
    return 0;
  },
};
