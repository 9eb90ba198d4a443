import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findShellcheck,
  runShellcheck,
  shellFiles,
  shellcheckUrl,
} from '../../src/layer-test/shellcheck.js';
import { removeTempDirs, tempDir } from '../build/tree-fixture.js';

/** Captures what the logger writes (stderr off a runner, workflow commands on stdout on one). */
function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(chunk.toString());
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    text: () => chunks.join(''),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

afterAll(removeTempDirs);

describe('shellcheck step', () => {
  const savedPath = process.env.PATH;
  const savedRunner = process.env.GITHUB_ACTIONS;
  const savedCache = process.env.RUNNER_TOOL_CACHE;
  afterEach(() => {
    process.env.PATH = savedPath;
    if (savedRunner === undefined) delete process.env.GITHUB_ACTIONS;
    else process.env.GITHUB_ACTIONS = savedRunner;
    if (savedCache === undefined) delete process.env.RUNNER_TOOL_CACHE;
    else process.env.RUNNER_TOOL_CACHE = savedCache;
  });

  it('uses the shellcheck on PATH', async () => {
    const expected = execFileSync('sh', ['-c', 'command -v shellcheck']).toString().trim();
    expect(await findShellcheck()).toBe(expected);
  });

  it('says how to install shellcheck when it is missing off a runner', async () => {
    process.env.PATH = tempDir('empty-');
    delete process.env.RUNNER_TOOL_CACHE;
    await expect(findShellcheck()).rejects.toThrow(/shellcheck is not on PATH: install it/);
  });

  it('lints runtime/bootstrap and the examples, as paths relative to the package', async () => {
    const files = await shellFiles();
    expect(files[0]).toBe('runtime/bootstrap');
    expect(files).toContain('examples/function.sh');
    expect(files.every((file) => !file.startsWith('/'))).toBe(true);
  });

  it('finds nothing in a clean script', async () => {
    const dir = tempDir('sc-');
    writeFileSync(join(dir, 'clean.sh'), '#!/bin/sh\nprintf "%s\\n" "$1"\n');
    expect(await runShellcheck(await findShellcheck(), ['clean.sh'], dir)).toEqual([]);
  });

  it('turns findings into file/line annotations on a runner', async () => {
    const dir = tempDir('sc-');
    // SC2086 (info): unquoted $1; SC3010 (warning): [[ ]] is not POSIX sh.
    writeFileSync(join(dir, 'bad.sh'), '#!/bin/sh\necho $1\nif [[ -n "$1" ]]; then :; fi\n');
    process.env.GITHUB_ACTIONS = 'true';
    const output = captureOutput();
    let findings;
    try {
      findings = await runShellcheck(await findShellcheck(), ['bad.sh'], dir);
    } finally {
      output.restore();
    }
    expect(findings.map((finding) => [finding.code, finding.line, finding.level])).toEqual([
      [2086, 2, 'info'],
      [3010, 3, 'warning'],
    ]);
    expect(output.text()).toMatch(
      /^::warning title=shellcheck SC2086,file=bad\.sh,line=2,col=6::SC2086 \(info\): Double quote/m,
    );
    expect(output.text()).toMatch(
      /^::warning title=shellcheck SC3010,file=bad\.sh,line=3,col=4::/m,
    );
  });

  it('annotates errors as errors, and prints file:line off a runner', async () => {
    const dir = tempDir('sc-');
    writeFileSync(join(dir, 'broken.sh'), '#!/bin/sh\nif true; then\n  echo "x"\n');
    delete process.env.GITHUB_ACTIONS;
    const output = captureOutput();
    let findings;
    try {
      findings = await runShellcheck(await findShellcheck(), ['broken.sh'], dir);
    } finally {
      output.restore();
    }
    expect(findings.some((finding) => finding.level === 'error')).toBe(true);
    expect(output.text()).toMatch(/^error: broken\.sh:\d+:\d+: SC\d+ \(error\): /m);
  });

  it('fails on a shellcheck that cannot run (a missing file)', async () => {
    const dir = tempDir('sc-');
    await expect(runShellcheck(await findShellcheck(), ['missing.sh'], dir)).rejects.toThrow(
      /shellcheck failed with exit code 2/,
    );
  });

  it('knows the release asset of each CPU', () => {
    expect(shellcheckUrl('0.10.0', 'x64')).toBe(
      'https://github.com/koalaman/shellcheck/releases/download/v0.10.0/shellcheck-v0.10.0.linux.x86_64.tar.xz',
    );
    expect(shellcheckUrl('0.10.0', 'arm64')).toMatch(/linux\.aarch64\.tar\.xz$/);
    expect(() => shellcheckUrl('0.10.0', 'ia32')).toThrow(/no shellcheck release for ia32/);
  });
});
