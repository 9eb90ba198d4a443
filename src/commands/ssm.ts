import { readLayersJson } from '../aws/layers-json.js';
import { parseSsmPrefix } from '../aws/parsers.js';
import { InputError } from '../errors.js';
import { parseRegions } from '../parsers.js';
import { writeParameters } from '../ssm/index.js';
import { stringOption, type Command } from './command.js';
import {
  DIST_DIR,
  DRY_RUN,
  LAYERS_JSON_HELP,
  REGIONS,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';

export const DEFAULT_SSM_PREFIX = '/lambda-shell-runtime';

export const ssmCommand: Command = {
  name: 'ssm',
  summary: 'Advertise the published layer as SSM parameters <prefix>/<arch>/latest and /<version>',
  ...defineOptions(
    [
      describedAs(DIST_DIR, ...LAYERS_JSON_HELP),
      describedAs(REGIONS, 'regions to write (default: every region of layers.json)'),
      option('prefix', 'P', `the parameter path (default ${DEFAULT_SSM_PREFIX})`),
      DRY_RUN,
    ],
    [
      "Writes String parameters holding each region's layer version ARN, only when they change.",
      '`latest` never moves back to a lower version (a backport) and never to a prerelease.',
      "Prints every parameter's outcome as JSON on stdout.",
    ],
  ),
  async run(values, _positionals, pacing) {
    const prefix = parseSsmPrefix(stringOption(values, 'prefix', DEFAULT_SSM_PREFIX), '--prefix');
    if (!prefix) throw new InputError('--prefix', '', `an SSM path such as ${DEFAULT_SSM_PREFIX}`);
    const regions = parseRegions(stringOption(values, 'regions'), '--regions');
    const document = await readLayersJson(distDirOf(values));
    const result = await writeParameters({
      layers: document.layers,
      version: document.version,
      prefix,
      regions,
      dryRun: values['dry-run'] === true,
      tuning: pacing?.aws,
    });
    process.stdout.write(`${JSON.stringify(result.parameters, null, 2)}\n`);
    return 0;
  },
};
