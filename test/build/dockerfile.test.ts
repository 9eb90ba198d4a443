import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationSeverity, validate } from 'dockerfile-utils';
import { packageRoot, paths } from '../../src/paths.js';
import { removeTempDirs, tempDir } from './tree-fixture.js';

const dockerfile = readFileSync(paths.dockerfile, 'utf8');
// Instructions with their continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.trimStart().startsWith('#'));
const froms = instructions
  .filter((line) => /^FROM\s/i.test(line))
  .map((line) => /^FROM\s+(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line));
const arg = (name: string): string | undefined =>
  instructions.map((line) => new RegExp(`^ARG ${name}=(\\S+)`).exec(line)?.[1]).find(Boolean);

afterAll(removeTempDirs);

describe('docker/Dockerfile', () => {
  it("has no problem dockerfile-utils (the Docker language server's validator) finds, warnings as errors", () => {
    const strict = ValidationSeverity.ERROR;
    const problems = validate(dockerfile, {
      deprecatedMaintainer: strict,
      directiveCasing: strict,
      emptyContinuationLine: strict,
      instructionCasing: strict,
      instructionCmdMultiple: strict,
      instructionEntrypointMultiple: strict,
      instructionHealthcheckMultiple: strict,
      instructionJSONInSingleQuotes: strict,
      instructionWorkdirRelative: strict,
    });
    expect(
      problems.map((problem) => `${problem.range.start.line + 1}: ${problem.message}`),
    ).toEqual([]);
    // The checker is live: a stage name used twice and an unknown flag are reported.
    const broken = `${dockerfile}\nFROM scratch AS layer\nCOPY --bogus=1 a b\n`;
    expect(validate(broken).map((problem) => problem.message)).toEqual(
      expect.arrayContaining(['duplicate name layer', 'Unknown flag: bogus']),
    );
  });

  it('names every stage and pins every image by digest, never latest', () => {
    expect(froms.every(Boolean)).toBe(true);
    const stages: string[] = [];
    for (const match of froms) {
      const [, , image, stage] = match!;
      expect(stage).toBeDefined();
      const isStage = stages.includes(image);
      if (!isStage && image !== 'scratch')
        expect(image).toMatch(/^[a-z0-9./-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$/);
      expect(image).not.toMatch(/:latest\b/);
      stages.push(stage!);
    }
    expect(dockerfile).toMatch(
      /public\.ecr\.aws\/amazonlinux\/amazonlinux:2023@sha256:[0-9a-f]{64}/,
    );
  });

  it('runs every stage but the scratch one on the build platform, and ends with the layer', () => {
    expect(froms[0]![1]).toBe('$BUILDPLATFORM');
    const stages = froms.map((match) => match![3]);
    for (const [, platform, image] of froms.map((match) => match!))
      expect(platform === '$BUILDPLATFORM' || stages.includes(image) || image === 'scratch').toBe(
        true,
      );
    const last = froms[froms.length - 1]!;
    expect([last[2], last[3]]).toEqual(['scratch', 'layer']);
    expect(instructions[instructions.length - 1]).toBe('COPY --from=assemble /layer/ /');
  });

  it('installs every tool its RUN steps call that the minimal AL2023 container image lacks', () => {
    // amazonlinux:2023 ships dnf, curl-minimal, coreutils-single, grep and gnupg2-minimal, but
    // no findutils (amazon-linux-2023#355: "not on the container image"), unzip or cpio.
    const packageOf: Record<string, string> = {
      find: 'findutils',
      unzip: 'unzip',
      cpio: 'cpio',
      rpm2cpio: 'rpm',
      gpg: 'gnupg2-minimal',
      'dnf download': 'dnf-plugins-core',
    };
    const install = instructions.find((line) => /^RUN dnf install\b/.test(line))!;
    const installed = install.split(/\s+/);
    const runs = instructions.filter((line) => /^RUN\s/.test(line)).join('\n');
    for (const [tool, pkg] of Object.entries(packageOf)) {
      const calls = new RegExp(`(^|[\\s;|&(])${tool.replace(' ', '\\s+')}\\s`, 'm').test(runs);
      if (calls)
        expect({ tool, installed: installed.includes(pkg) }).toEqual({ tool, installed: true });
    }
    expect(runs).toMatch(/(^|[\s;])find\s/m);
  });

  it('verifies the AWS CLI signature with the key in the repo before unpacking it', () => {
    expect(arg('AWS_CLI_VERSION')).toMatch(/^2\.\d+\.\d+$/);
    const awscli = instructions.find((line) => line.includes('awscli-exe-linux-'))!;
    const verify = awscli.indexOf('gpg --batch --status-fd 1 --verify');
    expect(verify).toBeGreaterThan(0);
    expect(awscli.indexOf('unzip')).toBeGreaterThan(verify);
    expect(awscli).toContain('VALIDSIG $AWS_CLI_KEY_FINGERPRINT');
  });

  it('keeps the AWS CLI team key whose fingerprint the Dockerfile pins, and it has not expired', () => {
    const key = join(packageRoot, 'docker/aws-cli-public-key.asc');
    const colons = execFileSync(
      'gpg',
      ['--homedir', tempDir('gnupg-'), '--batch', '--with-colons'].concat([
        '--import-options',
        'show-only',
        '--import',
        key,
      ]),
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    expect(fingerprint).toBe(arg('AWS_CLI_KEY_FINGERPRINT'));
    // A tripwire: when AWS extends the key again, refresh the file from the install guide.
    const expires = Number(/^pub:[^:]*:\d+:\d+:[0-9A-F]+:\d+:(\d*):/m.exec(colons)?.[1]);
    expect(expires * 1000).toBeGreaterThan(Date.now());
  });

  it('sends only what it copies in the build context', () => {
    const ignore = readFileSync(join(packageRoot, '.dockerignore'), 'utf8');
    const copied = instructions
      .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
      .map((line) => line.split(/\s+/)[1]);
    expect(copied.sort()).toEqual([
      'docker/aws-cli-public-key.asc',
      'runtime/bootstrap',
      'runtime/bootstrap.d/http-bash.sh',
    ]);
    expect(ignore).toMatch(/^\*$/m);
    for (const file of copied) expect(ignore).toContain(`!${file}`);
  });
});
