import { readLayerZips } from '../dist.js';
import {
  parseLayerName,
  parseRegions,
  parseS3Bucket,
  parseShare,
  parseVersion,
} from '../parsers.js';
import { PublishError, publishLayers, type PublishResult } from '../publish/index.js';
import { positiveIntegerOption, stringOption, type Command } from './command.js';
import {
  ALLOW_UNRELEASABLE,
  CONCURRENCY,
  DIST_DIR,
  DRY_RUN,
  REGIONS,
  S3_BUCKET,
  SHARE,
  VERSION,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';

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
      option('align-versions', '', 'the same version number in every region (publishes fillers)'),
      describedAs(CONCURRENCY, 'region × architecture publications at once (default 4)'),
      ALLOW_UNRELEASABLE,
      DRY_RUN,
    ],
    [
      'Prints {region: {arch: arn}} as JSON on stdout and writes layers.json in the dist folder,',
      'also when a region fails: then with every version that exists, the failures listed in',
      'layers.json\'s "failed" and on stderr, and exit code 1.',
    ],
  ),
  async run(values) {
    const version = parseVersion(stringOption(values, 'version'));
    const regions = parseRegions(stringOption(values, 'regions'), 'regions', true);
    const share = parseShare(stringOption(values, 'share', 'none'));
    const layerNamePattern = parseLayerName(stringOption(values, 'layer-name'));
    const s3Bucket = parseS3Bucket(stringOption(values, 's3-bucket')) || undefined;
    const concurrency = positiveIntegerOption(values, 'concurrency');
    const distDir = distDirOf(values);
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
      alignVersions: values['align-versions'] === true,
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
