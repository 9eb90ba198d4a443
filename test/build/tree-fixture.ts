import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const created: string[] = [];

/** A fresh folder under the OS temp dir, removed by removeTempDirs (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A 64-byte little-endian ELF header with the given e_machine: enough for readElfMachine. */
export function fakeElf(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  return header;
}

export function writeTreeFile(
  root: string,
  path: string,
  content: string | Buffer,
  mode = 0o644,
): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
}

/**
 * A layer tree shaped like the Docker build's output: bootstrap, bootstrap.d/http-bash.sh, bin/jq, bin/aws -> ../aws-cli/aws,
 * aws-cli/ with a library, lib/ with a versioned library and its soname link.
 */
export function makeLayerTree(machine = 0x3e, root = tempDir('tree-')): string {
  writeTreeFile(root, 'bootstrap', '#!/bin/sh\necho bootstrap\n', 0o755);
  writeTreeFile(root, 'bootstrap.d/http-bash.sh', '# bash\n', 0o644);
  writeTreeFile(root, 'bin/jq', fakeElf(machine), 0o755);
  writeTreeFile(root, 'aws-cli/aws', fakeElf(machine), 0o755);
  writeTreeFile(root, 'aws-cli/_internal/base_library.zip', 'python stdlib', 0o644);
  symlinkSync('../aws-cli/aws', join(root, 'bin/aws'));
  writeTreeFile(root, 'lib/libonig.so.5.4.0', fakeElf(machine), 0o755);
  symlinkSync('libonig.so.5.4.0', join(root, 'lib/libonig.so.5'));
  return root;
}
