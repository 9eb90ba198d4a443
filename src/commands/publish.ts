import { readLayerZips } from '../dist.js';
import { log } from '../log.js';
import {
  parseAlignVersions,
  parseLayerName,
  parseRegions,
  parseRepository,
  parseS3Bucket,
  parseShare,
  parseVersion,
} from '../parsers.js';
import {
  PublishError,
  publishLayers,
  type HistorySource,
  type PublishResult,
} from '../publish/index.js';
import { positiveIntegerOption, stringOption, type Command, type OptionValues } from './command.js';
import { tokenFrom } from './github-token.js';
import {
  ALLOW_UNRELEASABLE,
  CONCURRENCY,
  DIST_DIR,
  DRY_RUN,
  REGIONS,
  REPOSITORY,
  S3_BUCKET,
  SHARE,
  TOKEN_ENV,
  VERSION,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';

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
  return {
    token,
    repository: parseRepository(repository, '--repository'),
    apiUrl: process.env.GITHUB_API_URL || undefined,
  };
}

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Publish the layer zips as Lambda layer versions in many regions and share them',
  ...defineOptions(
    [
      DIST_DIR,
      describedAs(VERSION, 'the version to publish'),
      describedAs(REGIONS, 'AWS regions (run in parallel)'),
      SHARE,
      option(
        'layer-name',
        'PATTERN',
        'layer name with {arch} (default lambda-shell-runtime-{arch})',
      ),
      describedAs(
        S3_BUCKET,
        'publish through this bucket ({region} for one per region);',
        'required for zips over 50 MB',
      ),
      option(
        'align-versions',
        'MODE',
        'the same version number in every region, with filler versions:',
        "fill (copies of this zip) or replay (the earlier releases' own",
        'versions, so :N is the same bytes everywhere; default: off)',
      ),
      describedAs(
        REPOSITORY,
        'replay: where the earlier releases are (default: GITHUB_REPOSITORY)',
      ),
      describedAs(
        TOKEN_ENV,
        'replay: the variable holding a GitHub token (default: GITHUB_TOKEN);',
        "without one, fillers come from the reference region's content",
      ),
      describedAs(CONCURRENCY, 'region × architecture publications at once (default 4)'),
      ALLOW_UNRELEASABLE,
      DRY_RUN,
    ],
    [
      'Prints {region: {arch: arn}} as JSON on stdout and writes layers.json in the dist folder,',
      'also when a region fails: then with every version that exists, the failures listed in',
      'layers.json\'s "failed" and on stderr, and exit code 1.',
      'GITHUB_API_URL selects GitHub Enterprise Server for replay (https://host/api/v3).',
    ],
  ),
  async run(values, _positionals, pacing) {
    const version = parseVersion(stringOption(values, 'version'));
    const regions = parseRegions(stringOption(values, 'regions'), 'regions', true);
    const share = parseShare(stringOption(values, 'share', 'none'));
    const layerNamePattern = parseLayerName(stringOption(values, 'layer-name'));
    const s3Bucket = parseS3Bucket(stringOption(values, 's3-bucket')) || undefined;
    const concurrency = positiveIntegerOption(values, 'concurrency');
    const distDir = distDirOf(values);
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
      tuning: pacing?.aws,
    }).catch((error: unknown) => {
      if (error instanceof PublishError) print(error.result);
      throw error;
    });
    print(result);
    return 0;
  },
};
