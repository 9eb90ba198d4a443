import { readLayersJson } from '../aws/layers-json.js';
import { parseRoleArn } from '../aws/parsers.js';
import { canaryRunId, cleanCanaries, runCanaries } from '../canary/index.js';
import { readManifest } from '../dist.js';
import { InputError } from '../errors.js';
import { parseRegions } from '../parsers.js';
import { positiveIntegerOption, stringOption, type Command } from './command.js';
import {
  CONCURRENCY,
  DIST_DIR,
  DRY_RUN,
  LAYERS_JSON_HELP,
  REGIONS,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';

export const canaryCommand: Command = {
  name: 'canary',
  summary: 'Prove the published layer: a short-lived function on it in each region, invoked once',
  ...defineOptions(
    [
      describedAs(DIST_DIR, ...LAYERS_JSON_HELP),
      describedAs(REGIONS, 'regions to check (default: every region of layers.json)'),
      option(
        'role-arn',
        'ARN',
        "the canary functions' execution role (AWSLambdaBasicExecutionRole)",
      ),
      describedAs(CONCURRENCY, 'region × architecture canaries at once (default 4)'),
      option(
        'active-timeout',
        'S',
        'how long to wait for a function to become Active (default 120)',
      ),
      option('clean', '', 'instead: delete canary functions left behind by a crashed run'),
      option('min-age', 'MINUTES', 'with --clean: only those at least this old (default 60)'),
      DRY_RUN,
    ],
    [
      'Each canary creates lsr-canary-<version>-<arch>-<run id> on the layer, waits until it is',
      'Active, invokes it with a test event, checks the event came back with the versions of the',
      "layer's jq and AWS CLI, and deletes the function whatever happened. Prints every outcome as",
      'JSON on stdout; exit 1 when any canary failed.',
    ],
  ),
  async run(values) {
    const dryRun = values['dry-run'] === true;
    const distDir = distDirOf(values);
    let regions = parseRegions(stringOption(values, 'regions'), '--regions');
    if (values.clean === true) {
      if (regions.length === 0) regions = Object.keys((await readLayersJson(distDir)).layers);
      const minAge = stringOption(values, 'min-age', '60');
      if (!/^\d+$/.test(minAge))
        throw new InputError('--min-age', minAge, 'whole minutes (0 removes every leftover)');
      const cleaned = await cleanCanaries({ regions, minAgeMinutes: Number(minAge), dryRun });
      process.stdout.write(`${JSON.stringify(cleaned, null, 2)}\n`);
      return cleaned.some((row) => row.status === 'failed') ? 1 : 0;
    }
    const roleArn = parseRoleArn(stringOption(values, 'role-arn'), '--role-arn');
    const document = await readLayersJson(distDir);
    const manifest = await readManifest(distDir);
    const result = await runCanaries({
      layers: document.layers,
      version: document.version,
      regions,
      roleArn,
      runId: canaryRunId(process.env),
      awsCli: manifest.releasable,
      dryRun,
      concurrency: positiveIntegerOption(values, 'concurrency'),
      activeTimeoutSeconds: positiveIntegerOption(values, 'active-timeout'),
    });
    process.stdout.write(`${JSON.stringify(result.outcomes, null, 2)}\n`);
    return 0;
  },
};
