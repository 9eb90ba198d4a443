import { readLayerZips } from '../dist.js';
import { log } from '../log.js';
import { InputError } from '../errors.js';
import {
  parseAlignVersions,
  parseLayerName,
  parseRegions,
  parseRepository,
  parseS3Bucket,
  parseShare,
  parseVersion,
} from '../inputs.js';
import {
  PublishError,
  publishLayers,
  type HistorySource,
  type PublishResult,
} from '../publish/index.js';
import { stringOption, type Command, type OptionValues } from './command.js';
import { tokenFrom } from './github-token.js';

/** Where a replay finds the earlier releases; undefined without a token or a repository. */
function historyFrom(values: OptionValues): HistorySource | undefined {
  const token = tokenFrom(stringOption(values, 'token-env', 'GITHUB_TOKEN'));
  const repository = stringOption(values, 'repository', process.env.GITHUB_REPOSITORY ?? '');
  if (!token || !repository) {
    log.warning(
      "replay without a GitHub token and repository: fillers come from the reference region's content",
    );
    return undefined;
  }
  return { token, repository: parseRepository(repository, '--repository') };
}

/** A positive whole number flag, or the fallback when absent. */
export function positiveIntegerOption(values: OptionValues, name: string): number | undefined {
  const raw = stringOption(values, name);
  if (!raw) return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new InputError(name, raw, 'a whole number of at least 1');
  return Number(raw);
}

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Publish the layer zips as Lambda layer versions in many regions and share them',
  usage: [
    '  --dist DIR              the dist folder of the build (default: out, as build --out)',
    '  --version X.Y.Z         the version to publish',
    '  --regions r1,r2         AWS regions (run in parallel)',
    '  --share WHO             public | none | account ids (a,b) | an organization id o-xxxxxxxxxx',
    '  --layer-name PATTERN    layer name with {arch} (default lambda-shell-runtime-{arch})',
    '  --s3-bucket NAME        publish through this bucket ({region} for one per region);',
    '                          required for zips over 50 MB',
    '  --align-versions MODE   the same version number in every region, with filler versions:',
    "                          fill (copies of this zip) or replay (the earlier releases' own",
    '                          versions, so :N is the same bytes everywhere; default: off)',
    '  --repository OWNER/REPO replay: where the earlier releases are (default: GITHUB_REPOSITORY)',
    '  --token-env NAME        replay: the variable holding a GitHub token (default: GITHUB_TOKEN);',
    "                          without one, fillers come from the reference region's content",
    '  --concurrency N         region × architecture publications at once (default 4)',
    '  --allow-unreleasable    publish zips from the local builder anyway',
    '  --dry-run               print every call it would make, make none',
    '',
    'Prints {region: {arch: arn}} as JSON on stdout and writes layers.json in the dist folder,',
    'also when a region fails: then with every version that exists, the failures listed in',
    'layers.json\'s "failed" and on stderr, and exit code 1.',
  ].join('\n'),
  options: {
    dist: { type: 'string', default: 'out' },
    version: { type: 'string' },
    regions: { type: 'string' },
    share: { type: 'string', default: 'none' },
    'layer-name': { type: 'string' },
    's3-bucket': { type: 'string' },
    'align-versions': { type: 'string' },
    repository: { type: 'string' },
    'token-env': { type: 'string' },
    concurrency: { type: 'string' },
    'allow-unreleasable': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run(values) {
    const version = parseVersion(stringOption(values, 'version'));
    const regions = parseRegions(stringOption(values, 'regions'));
    const share = parseShare(stringOption(values, 'share', 'none'));
    const layerNamePattern = parseLayerName(stringOption(values, 'layer-name'));
    const s3Bucket = parseS3Bucket(stringOption(values, 's3-bucket')) || undefined;
    const concurrency = positiveIntegerOption(values, 'concurrency');
    const distDir = stringOption(values, 'dist', 'out');
    const alignMode = parseAlignVersions(
      stringOption(values, 'align-versions'),
      '--align-versions',
    );
    const history = alignMode === 'replay' ? historyFrom(values) : undefined;
    const print = (result: PublishResult): void => {
      process.stdout.write(`${JSON.stringify(result.arns, null, 2)}\n`);
    };
    const result = await publishLayers({
      zips: await readLayerZips(distDir, version),
      version,
      regions,
      share,
      layerNamePattern,
      s3Bucket,
      alignVersions: alignMode !== undefined,
      alignMode,
      history,
      dryRun: values['dry-run'] === true,
      distDir,
      concurrency,
      allowUnreleasable: values['allow-unreleasable'] === true,
    }).catch((error: unknown) => {
      if (error instanceof PublishError) print(error.result);
      throw error;
    });
    print(result);
    return 0;
  },
};
