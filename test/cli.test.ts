import { spawnSync } from 'node:child_process';
import { runCli } from '../src/cli.js';
import { commands } from '../src/commands/index.js';
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

  it('runs from the committed bundle, as `npx lambda-shell-runtime` does', () => {
    const child = spawnSync(process.execPath, ['bin/lambda-shell-runtime.js', 'invoke', '--help'], {
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('--task-root');
  });
});
