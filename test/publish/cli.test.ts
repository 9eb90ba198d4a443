import { parseArgs } from 'node:util';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, OptionValues } from '../../src/commands/command.js';
import { publishCommand } from '../../src/commands/publish.js';
import { sarCommand } from '../../src/commands/sar.js';
import { InputError } from '../../src/errors.js';
import { startMoto } from '../helpers/moto.js';
import { captureRejection, captureWrites } from '../helpers/capture.js';
import { captureStderr, captureStderrFailure, createBuckets, useAwsSuite } from './fixtures.js';
import { PublishError } from '../../src/publish/index.js';
import { DEFAULT_DIST_DIR } from '../../src/dist.js';

const suite = useAwsSuite({ start: startMoto, stop: (moto) => moto.stop(), version: '2.0.0' });

/** Runs a command as the CLI does (node:util parseArgs, strict), capturing stdout. */
async function runCommand(
  command: Command,
  args: string[],
): Promise<{ code: number; stdout: string }> {
  const { values, positionals } = parseArgs({
    args,
    options: command.options,
    allowPositionals: true,
    strict: true,
  });
  const stdout = await captureWrites(process.stdout, async () => {
    const { result } = await captureStderr(() => command.run(values as OptionValues, positionals));
    return result;
  });
  return { code: stdout.result, stdout: stdout.text };
}

describe('lambda-shell-runtime publish', () => {
  it('publishes against the endpoint and prints the ARN map on stdout', async () => {
    const { code, stdout } = await runCommand(publishCommand, [
      '--dist',
      suite.dist.dir,
      '--version',
      '2.0.0',
      '--regions',
      'us-east-1,eu-west-1',
      '--share',
      'public',
      '--layer-name',
      'cli-{arch}',
      '--align-versions',
      'fill',
    ]);
    expect(code).toBe(0);
    const arns = JSON.parse(stdout);
    expect(arns).toEqual({
      'us-east-1': {
        arm64: 'arn:aws:lambda:us-east-1:123456789012:layer:cli-arm64:1',
        amd64: 'arn:aws:lambda:us-east-1:123456789012:layer:cli-amd64:1',
      },
      'eu-west-1': {
        arm64: 'arn:aws:lambda:eu-west-1:123456789012:layer:cli-arm64:1',
        amd64: 'arn:aws:lambda:eu-west-1:123456789012:layer:cli-amd64:1',
      },
    });
    expect(JSON.parse(await readFile(join(suite.dist.dir, 'layers.json'), 'utf8')).layers).toEqual(
      arns,
    );
  });

  it('reads the dist folder from lambda-shell-runtime-dist/ by default, where build writes it', async () => {
    // Not dist/: in this package that is the action's compiled bundle, never the layer zips.
    const cwd = await mkdtemp(join(tmpdir(), 'lsr-cli-cwd-'));
    await symlink(suite.dist.dir, join(cwd, DEFAULT_DIST_DIR));
    const saved = process.cwd();
    process.chdir(cwd);
    try {
      const publish = await runCommand(publishCommand, [
        '--version',
        '2.0.0',
        '--regions',
        'us-east-1',
        '--dry-run',
      ]);
      expect(Object.keys(JSON.parse(publish.stdout)['us-east-1'])).toEqual(['arm64', 'amd64']);
      const sar = await runCommand(sarCommand, [
        '--version',
        '2.0.0',
        '--s3-bucket',
        'artifacts',
        '--region',
        'us-east-1',
        '--dry-run',
      ]);
      expect(JSON.parse(sar.stdout).applications).toHaveLength(3);
    } finally {
      process.chdir(saved);
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('prints every version that exists when a region fails, writes the failures to layers.json, then fails', async () => {
    // Only us-east-1 has its bucket: eu-west-1 fails at the upload.
    await createBuckets(suite.server.endpoint, ['us-east-1'], (region) => `cli-partial-${region}`);
    const { values } = parseArgs({
      args: [
        ...['--dist', suite.dist.dir, '--version', '2.0.0', '--regions', 'us-east-1,eu-west-1'],
        ...['--layer-name', 'cli-partial-{arch}', '--s3-bucket', 'cli-partial-{region}'],
      ],
      options: publishCommand.options,
      strict: true,
    });
    const stdout = await captureRejection(process.stdout, async () => {
      const { error } = await captureStderrFailure(() =>
        publishCommand.run(values as OptionValues, []),
      );
      throw error;
    });
    expect(stdout.error).toBeInstanceOf(PublishError);
    expect((stdout.error as Error).message).toMatch(
      /eu-west-1 arm64: s3:PutObject in eu-west-1: HTTP 404 NoSuchBucket \(request id /,
    );
    expect(JSON.parse(stdout.text)).toEqual({
      'us-east-1': {
        arm64: 'arn:aws:lambda:us-east-1:123456789012:layer:cli-partial-arm64:1',
        amd64: 'arn:aws:lambda:us-east-1:123456789012:layer:cli-partial-amd64:1',
      },
    });
    const document = JSON.parse(await readFile(join(suite.dist.dir, 'layers.json'), 'utf8'));
    expect(document.layers).toEqual(JSON.parse(stdout.text));
    expect(
      document.failed.map((failure: { region: string; arch: string }) => failure.arch),
    ).toEqual(['arm64', 'amd64']);
  });

  it('rejects a bad share and a bad concurrency as input errors', async () => {
    const base = ['--dist', suite.dist.dir, '--version', '2.0.0', '--regions', 'us-east-1'];
    await expect(runCommand(publishCommand, [...base, '--share', 'everyone'])).rejects.toThrow(
      InputError,
    );
    await expect(runCommand(publishCommand, [...base, '--concurrency', 'two'])).rejects.toThrow(
      /"concurrency": "two"/,
    );
  });
});

describe('lambda-shell-runtime sar', () => {
  it('prints the applications a dry run would publish', async () => {
    const { code, stdout } = await runCommand(sarCommand, [
      '--dist',
      suite.dist.dir,
      '--version',
      '2.0.0',
      '--s3-bucket',
      'artifacts-{region}',
      '--region',
      'eu-central-1',
      '--share',
      'public',
      '--dry-run',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.applications.map((application: { name: string }) => application.name)).toEqual([
      'lambda-shell-runtime-arm64',
      'lambda-shell-runtime-amd64',
      'lambda-shell-runtime',
    ]);
    expect(result.url).toBe(
      'https://serverlessrepo.aws.amazon.com/applications/eu-central-1/<account>/lambda-shell-runtime',
    );
  });
});
