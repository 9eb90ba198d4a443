import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// npm run setup (bin/setup.js) against fake apt-get and sudo on PATH, which record their
// arguments and "install" a package by putting an executable of its name on PATH, as apt does.

const TOOLS = ['shellcheck', 'busybox', 'dash', 'strace', 'jq', 'zip', 'unzip', 'gpg'];
const NOBODY = 65534;
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Machine {
  installed?: string[];
  aptGet?: boolean;
  aptFails?: boolean;
  sudo?: boolean;
  asUser?: boolean;
}

function setup(machine: Machine) {
  const bin = mkdtempSync(join(tmpdir(), 'lsr-setup-'));
  dirs.push(bin);
  chmodSync(bin, 0o777);
  const log = join(bin, 'calls.log');
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  for (const tool of machine.installed ?? []) script(tool, 'exit 0');
  if (machine.aptGet)
    script(
      'apt-get',
      [
        'printf "apt-get %s [%s]\\n" "$*" "$DEBIAN_FRONTEND" >> "$LOG"',
        machine.aptFails ? 'exit 100' : '',
        '[ "$1" = install ] || exit 0',
        'for pkg do case "$pkg" in -*|install) ;; *) printf "#!/bin/sh\\n" > "$BIN/$pkg"; /bin/chmod 755 "$BIN/$pkg" ;; esac; done',
      ].join('\n'),
    );
  if (machine.sudo) script('sudo', 'printf "sudo %s\\n" "$*" >> "$LOG"\nexec "$@"');
  const child = spawnSync(process.execPath, ['bin/setup.js'], {
    env: { PATH: bin, LOG: log, BIN: bin },
    encoding: 'utf8',
    ...(machine.asUser ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return {
    status: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
    calls: readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

describe('the README set-up', () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /## Set-up on a fresh machine\n\n```sh\n([\s\S]*?)```/.exec(readme)![1];
  const commands = block
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('#')[0].trim());

  it('is two commands, the main job and the tests, each running npm run setup first', () => {
    expect(commands).toEqual([
      'npm ci && npm run setup && npm start',
      'npm ci && npm run setup && npm test',
    ]);
  });

  it('is what CI runs: .ci/run holds the README test command as one line', () => {
    const ci = readFileSync('.ci/run', 'utf8').split('\n');
    expect(ci).toContain(commands[1]);
  });
});

describe('npm run setup', () => {
  it('does nothing when every tool is there', () => {
    const result = setup({ installed: TOOLS, aptGet: true });
    expect([result.status, result.calls]).toEqual([0, []]);
    expect(result.stdout).toContain('every tool the tests need is installed');
  });

  it('as root, installs exactly the missing packages with apt-get, non-interactively', () => {
    const installed = TOOLS.filter((tool) => tool !== 'shellcheck' && tool !== 'busybox');
    const result = setup({ installed, aptGet: true });
    expect(result.calls).toEqual([
      'apt-get update -qq [noninteractive]',
      'apt-get install -y --no-install-recommends shellcheck busybox [noninteractive]',
    ]);
    expect([result.status, result.stdout]).toEqual([
      0,
      expect.stringContaining('installed shellcheck busybox'),
    ]);
    // A second run finds them.
    expect(setup({ installed: TOOLS, aptGet: true }).calls).toEqual([]);
  });

  it('as another user, goes through sudo', () => {
    const installed = TOOLS.filter((tool) => tool !== 'busybox');
    const result = setup({ installed, aptGet: true, sudo: true, asUser: true });
    expect(result.calls).toEqual([
      'sudo apt-get update -qq',
      'apt-get update -qq [noninteractive]',
      'sudo apt-get install -y --no-install-recommends busybox',
      'apt-get install -y --no-install-recommends busybox [noninteractive]',
    ]);
    expect(result.status).toBe(0);
  });

  it('as another user without sudo, prints the exact command and fails', () => {
    const installed = TOOLS.filter((tool) => tool !== 'busybox' && tool !== 'shellcheck');
    const result = setup({ installed, aptGet: true, asUser: true });
    expect(result.calls).toEqual([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      '\n  apt-get update && apt-get install -y --no-install-recommends shellcheck busybox\n',
    );
  });

  it('without apt-get, names the tools and the Debian command, and fails', () => {
    const result = setup({ installed: TOOLS.filter((tool) => tool !== 'strace') });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/missing strace: this machine has no apt-get/);
    expect(result.stderr).toContain('apt-get install -y --no-install-recommends strace');
  });

  it('when apt-get fails, says so with the command to run, and fails', () => {
    const result = setup({
      installed: TOOLS.filter((tool) => tool !== 'jq'),
      aptGet: true,
      aptFails: true,
    });
    expect(result.status).toBe(1);
    expect(result.calls).toEqual(['apt-get update -qq [noninteractive]']);
    expect(result.stderr).toContain('"apt-get update -qq" failed');
    expect(result.stderr).toContain(
      'apt-get update && apt-get install -y --no-install-recommends jq',
    );
  });
});
