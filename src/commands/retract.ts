import { parseSsmPrefix } from '../aws/parsers.js';
import { InputError } from '../errors.js';
import { parseReason, parseRegions, parseRepository, parseTag, parseVersion } from '../parsers.js';
import { RetractError, retractRelease, type RetractResult } from '../retract/index.js';
import { stringOption, type Command } from './command.js';
import { tokenFrom } from './github-token.js';
import {
  DIST_DIR,
  DRY_RUN,
  REGIONS,
  REPOSITORY,
  TOKEN_ENV,
  VERSION,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';
import { DEFAULT_SSM_PREFIX } from './ssm.js';

export const retractCommand: Command = {
  name: 'retract',
  summary: 'Retract a bad release: unshare (or delete) its layer versions, move SSM latest back',
  ...defineOptions(
    [
      describedAs(VERSION, 'the release to retract (required)'),
      describedAs(
        DIST_DIR,
        "a folder with the release's layers.json (default: the GitHub release's",
        'layers.json asset; --out and --dist are aliases)',
      ),
      describedAs(REGIONS, 'regions to retract (default: every region of layers.json)'),
      option('reason', 'TEXT', 'why: in the release notes, layers.json and the SSM marker'),
      option('delete', '', 'delete the layer versions too (functions using them keep working)'),
      option('force', '', 'also retract a version another release reused (the same bytes)'),
      option(
        'prefix',
        'P',
        `the ssm step's parameter path (default ${DEFAULT_SSM_PREFIX}; '' skips SSM)`,
      ),
      describedAs(
        REPOSITORY,
        'the GitHub repository to mark the release in (default: GITHUB_REPOSITORY)',
      ),
      option('tag', 'TAG', 'the release tag (default: v<version>)'),
      TOKEN_ENV,
      describedAs(DRY_RUN, 'read, print every write it would make, make none'),
    ],
    [
      'Removes the lsr-* statements publish added, writes <prefix>/<arch>/retracted/<version> and',
      'points <prefix>/<arch>/latest at the newest release not retracted, then marks the GitHub',
      'release (title prefix, a note with the reason, "retracted" in its layers.json). Without a',
      "token the release is not marked. A second run changes nothing. Prints each layer's outcome",
      'as JSON on stdout. GITHUB_API_URL selects GitHub Enterprise Server (https://host/api/v3).',
    ],
  ),
  async run(values, _positionals, pacing) {
    const version = parseVersion(stringOption(values, 'version'), '', '--version');
    const regions = parseRegions(stringOption(values, 'regions'), '--regions');
    const ssmPrefix = parseSsmPrefix(
      stringOption(values, 'prefix', DEFAULT_SSM_PREFIX),
      '--prefix',
    );
    const reason = parseReason(stringOption(values, 'reason'), '--reason');
    // No default folder: without one, layers.json comes from the GitHub release.
    const distDir = distDirOf(values, '');
    const token = tokenFrom(stringOption(values, 'token-env', 'GITHUB_TOKEN'));
    const repositoryText = stringOption(values, 'repository', process.env.GITHUB_REPOSITORY ?? '');
    const tag = parseTag(stringOption(values, 'tag', `v${version}`), '--tag');
    if (!distDir && !(token && repositoryText))
      throw new InputError(
        '--dist-dir',
        '',
        'the folder with the layers.json of the release, or --repository (GITHUB_REPOSITORY) and a token in GITHUB_TOKEN to read it from the GitHub release',
      );
    const github =
      token && repositoryText
        ? {
            token,
            repository: parseRepository(repositoryText, '--repository'),
            tag,
            apiUrl: process.env.GITHUB_API_URL || undefined,
            tuning: pacing?.github,
          }
        : undefined;
    const print = (result: RetractResult): void => {
      process.stdout.write(`${JSON.stringify(result.layers, null, 2)}\n`);
    };
    const result = await retractRelease({
      version,
      distDir,
      regions,
      reason,
      delete: values.delete === true,
      force: values.force === true,
      dryRun: values['dry-run'] === true,
      ssmPrefix,
      github,
      tuning: pacing?.aws,
    }).catch((error: unknown) => {
      if (error instanceof RetractError && error.result) print(error.result);
      throw error;
    });
    print(result);
    return 0;
  },
};
