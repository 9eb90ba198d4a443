import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ELF_MACHINE, machineName, readElfMachine } from '../../src/build/elf.js';
import { fakeElf, tempDir, removeTempDirs } from './tree-fixture.js';

afterAll(removeTempDirs);

describe('readElfMachine', () => {
  const dir = tempDir('elf-');

  it('reads the machine of a real program of this host', async () => {
    const expected = process.arch === 'arm64' ? ELF_MACHINE.arm64 : ELF_MACHINE.amd64;
    expect(await readElfMachine(process.execPath)).toBe(expected);
  });

  it('reads little- and big-endian headers', async () => {
    writeFileSync(join(dir, 'le'), fakeElf(0xb7));
    const big = fakeElf(0);
    big[5] = 2;
    big.writeUInt16BE(0x3e, 18);
    writeFileSync(join(dir, 'be'), big);
    expect(await readElfMachine(join(dir, 'le'))).toBe(0xb7);
    expect(await readElfMachine(join(dir, 'be'))).toBe(0x3e);
  });

  it('answers undefined for scripts and short files', async () => {
    writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi there, this is long enough\n');
    writeFileSync(join(dir, 'short'), '\x7fELF');
    expect(await readElfMachine(join(dir, 'script'))).toBeUndefined();
    expect(await readElfMachine(join(dir, 'short'))).toBeUndefined();
  });

  it('names machines for error messages', () => {
    expect(machineName(0x3e)).toBe('x86-64');
    expect(machineName(0xb7)).toBe('AArch64');
    expect(machineName(0x99)).toBe('machine 0x99');
  });
});
