import { spawnSync } from 'node:child_process';
import { runCli } from '../src/cli.js';
import { commands } from '../src/commands/index.js';
import { distDirOf } from '../src/commands/options.js';
import { INPUT_DEFAULTS } from '../src/context.js';
import { DEFAULT_DIST_DIR } from '../src/dist.js';
import { makeDist } from './publish/fixtures.js';
import { captureWrites } from './helpers/capture.js';

const cli = async (...argv: string[]) => {
  let code = -1;
  const stderr = await captureWrites(process.stderr, async () => {
    const stdout = await captureWrites(process.stdout, async () => {
      code = await runCli(argv);
    });
    return stdout.text;
  });
  return { code, stdout: stderr.result ?? '', stderr: stderr.text };
};

describe('the CLI', () => {
  it('lists every command on --help', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    const names = ['run', 'build', 'test', 'invoke', 'release', 'publish', 'canary', 'ssm', 'sar'];
    names.push('verify', 'retract', 'bench', 'aws-cli-latest');
    for (const name of names) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(commands.map((command) => command.name)).toEqual(names);
  });

  it('exits 2 with the usage on no command, an unknown command or an unknown flag', async () => {
    expect((await cli()).code).toBe(2);
    const unknown = await cli('deploy');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringContaining('unknown command "deploy"'),
    ]);
    const flag = await cli('build', '--bogus');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
    expect(flag.stderr).toContain('Usage: lambda-shell-runtime build [options]');
  });

  it('prints a command help with its options', async () => {
    const { code, stdout } = await cli('publish', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('--regions');
    expect(stdout).toContain('--dry-run');
  });

  it('exits 2 on a bad input, naming it, and 1 on any other failure', async () => {
    const bad = await cli(
      'publish',
      '--dist',
      'out',
      '--version',
      'one',
      '--regions',
      'us-east-1',
      '--dry-run',
    );
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(/^lambda-shell-runtime publish: Invalid input "[^"]*version"/),
    ]);
    const missing = await cli('test', '--dist', '/nonexistent/lsr-dist');
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringContaining('manifest.json is missing'),
    ]);
  });

  it('names the dist folder --dist-dir in every command that has one, --out and --dist as aliases', async () => {
    const withDist = commands.filter((command) => 'dist-dir' in command.options);
    expect(withDist.map((command) => command.name)).toEqual([
      'run',
      'build',
      'test',
      'release',
      'publish',
      'canary',
      'ssm',
      'sar',
      'retract',
    ]);
    for (const command of withDist.filter((candidate) => candidate.name !== 'run')) {
      expect(Object.keys(command.options)).toEqual(expect.arrayContaining(['out', 'dist']));
      expect(command.usage).toContain(`--dist-dir DIR`);
    }
    expect(distDirOf({})).toBe(DEFAULT_DIST_DIR);
    // retract has no default folder: without one it reads layers.json from the GitHub release.
    expect(distDirOf({}, '')).toBe('');
    expect(distDirOf({ dist: 'a' }, '')).toBe('a');
    expect(INPUT_DEFAULTS['dist-dir']).toBe(DEFAULT_DIST_DIR);
    expect(distDirOf({ out: 'a' })).toBe('a');
    expect(distDirOf({ dist: 'a', 'dist-dir': 'a' })).toBe('a');
    expect(() => distDirOf({ out: 'a', 'dist-dir': 'b' })).toThrow(
      /Invalid input "--dist-dir": "--dist-dir b --out a".*one dist folder/,
    );
  });

  it('adds the CLI flag to a refusal of local-builder zips, which the step words for both', async () => {
    const local = await makeDist('1.2.3', { releasable: false });
    try {
      const refused = await cli(
        'publish',
        ...['--dist-dir', local.dir, '--version', '1.2.3', '--regions', 'us-east-1'],
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /Invalid input "dist-dir".*local builder.*Rebuild with the docker builder, or pass --allow-unreleasable to ship them anyway\n$/,
      );
    } finally {
      await local.remove();
    }
  });

  it('runs from the committed bundle, as `npx lambda-shell-runtime` does', () => {
    const child = spawnSync(process.execPath, ['bin/lambda-shell-runtime.js', 'invoke', '--help'], {
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('--task-root');
  });
});
