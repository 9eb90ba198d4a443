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
    '  --align-versions        the same version number in every region (publishes fillers)',
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
    'align-versions': { type: 'boolean' },
    concurrency: { type: 'string' },
    'allow-unreleasable': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run(values) {
    const version = parseVersion(stringOption(values, 'version'));
    const regions = parseRegions(stringOption(values, 'regions'), 'regions', true);
    const share = parseShare(stringOption(values, 'share', 'none'));
    const layerNamePattern = parseLayerName(stringOption(values, 'layer-name'));
    const s3Bucket = parseS3Bucket(stringOption(values, 's3-bucket')) || undefined;
    const concurrency = positiveIntegerOption(values, 'concurrency');
    const distDir = stringOption(values, 'dist', 'out');
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
