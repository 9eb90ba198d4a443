import { readLayerZips } from '../dist.js';
import { parseApplicationName, parseAuthor, parseSourceCodeUrl } from '../aws/parsers.js';
import { InputError } from '../errors.js';
import { parseRegion, parseS3Bucket, parseShare, parseVersion } from '../parsers.js';
import { publishSar } from '../sar/index.js';
import { stringOption, type Command } from './command.js';
import {
  ALLOW_UNRELEASABLE,
  DIST_DIR,
  DRY_RUN,
  S3_BUCKET,
  SHARE,
  VERSION,
  defineOptions,
  describedAs,
  distDirOf,
  option,
} from './options.js';

export const sarCommand: Command = {
  name: 'sar',
  summary: 'Publish the layer as Serverless Application Repository applications',
  ...defineOptions(
    [
      DIST_DIR,
      describedAs(VERSION, 'the application version'),
      describedAs(
        S3_BUCKET,
        'the artifact bucket in that region ({region} allowed); its policy',
        'must let serverlessrepo.amazonaws.com read it',
      ),
      option('region', 'R', 'the SAR region (default AWS_REGION, else us-east-1)'),
      SHARE,
      option(
        'application-name',
        'NAME',
        'base name (default lambda-shell-runtime): NAME-arm64, NAME-amd64, NAME',
      ),
      option('author', 'NAME', 'the author shown in SAR (default lambda-shell-runtime)'),
      option(
        'source-code-url',
        'URL',
        'required by SAR (default: this GitHub repository on a runner)',
      ),
      ALLOW_UNRELEASABLE,
      DRY_RUN,
    ],
    ['Prints the applications (id, url, created) as JSON on stdout.'],
  ),
  async run(values) {
    const version = parseVersion(stringOption(values, 'version'));
    const dryRun = values['dry-run'] === true;
    const distDir = distDirOf(values);
    const s3Bucket = parseS3Bucket(stringOption(values, 's3-bucket'));
    if (!s3Bucket)
      throw new InputError(
        's3-bucket',
        '',
        'the bucket SAR reads the zip, README and LICENSE from',
      );
    const result = await publishSar({
      zips: await readLayerZips(distDir, version),
      version,
      s3Bucket,
      region: parseRegion(stringOption(values, 'region', process.env.AWS_REGION || 'us-east-1')),
      share: parseShare(stringOption(values, 'share', 'none')),
      dryRun,
      applicationName: parseApplicationName(stringOption(values, 'application-name')),
      author: parseAuthor(stringOption(values, 'author')),
      sourceCodeUrl: parseSourceCodeUrl(
        stringOption(values, 'source-code-url'),
        process.env,
        dryRun,
      ),
      distDir,
      allowUnreleasable: values['allow-unreleasable'] === true,
    });
    const { applicationId, url, created, applications } = result;
    process.stdout.write(
      `${JSON.stringify({ applicationId, url, created, applications }, null, 2)}\n`,
    );
    return 0;
  },
};
