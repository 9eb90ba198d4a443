import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hostArchitecture } from '../../src/platform.js';
import { buildCommand } from '../../src/commands/build.js';
import type { Command, OptionValues } from '../../src/commands/command.js';
import { testCommand } from '../../src/commands/test.js';
import { InputError } from '../../src/errors.js';
import { removeTempDirs, tempDir } from './tree-fixture.js';

/** Runs a command on CLI words, parsed as src/cli.ts parses them; resolves to its code and stdout. */
async function cli(command: Command, words: string[]): Promise<{ code: number; stdout: string }> {
  const { values, positionals } = parseArgs({
    args: words,
    options: command.options,
    strict: true,
  });
  const chunks: string[] = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(chunk.toString());
      return true;
    });
  try {
    return {
      code: await command.run(values as OptionValues, positionals),
      stdout: chunks.join(''),
    };
  } finally {
    spy.mockRestore();
  }
}

afterAll(removeTempDirs);

describe('build and test commands', () => {
  const host = hostArchitecture()!;

  it('on a fresh clone, the local builder builds zips that pass the layer tests', async () => {
    const out = join(tempDir('cli-'), 'out');
    const built = await cli(buildCommand, [
      '--builder',
      'local',
      '--version',
      'v1.4.0',
      '--out',
      out,
    ]);
    const zip = join(out, `lambda-shell-runtime-${host}-1.4.0.zip`);
    expect(built).toEqual({ code: 0, stdout: `${zip}\n${join(out, 'SHA256SUMS')}\n` });
    const tested = await cli(testCommand, ['--dist', out]);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(
      new RegExp(`^lambda-shell-runtime-${host}-1\\.4\\.0\\.zip: ok \\(jq-`),
    );
  });

  it('rejects bad flags with InputErrors that name the flag', async () => {
    const out = tempDir('cli-');
    await expect(cli(buildCommand, ['--builder', 'podman', '--version', '1.0.0'])).rejects.toThrow(
      /Invalid input "--builder": "podman"/,
    );
    await expect(
      cli(buildCommand, ['--builder', 'local', '--arch', 'mips', '--version', '1.0.0']),
    ).rejects.toThrow(InputError);
    await expect(cli(buildCommand, ['--builder', 'local', '--out', out])).rejects.toThrow(
      /Invalid input "--version"/,
    );
    await expect(
      cli(buildCommand, [
        '--builder',
        'local',
        '--version',
        '1.0.0',
        '--aws-cli-version',
        '1.2',
        '--out',
        out,
      ]),
    ).rejects.toThrow(/Invalid input "--aws-cli-version"/);
    await expect(cli(testCommand, ['--dist', out, '--version', 'x'])).rejects.toThrow(
      /Invalid input "--version"/,
    );
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('documents every flag in --help', () => {
    for (const command of [buildCommand, testCommand])
      for (const flag of Object.keys(command.options)) expect(command.usage).toContain(`--${flag}`);
  });
});
