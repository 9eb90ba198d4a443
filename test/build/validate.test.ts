import {
  chmodSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { walkTree } from '../../src/build/tree-walk.js';
import { LayerTreeError, validateLayerTree } from '../../src/build/validate.js';
import type { Architecture } from '../../src/domain.js';
import { fakeElf, makeLayerTree, writeTreeFile, removeTempDirs } from './tree-fixture.js';

const validate = async (root: string, arch: Architecture = 'amd64', requireAwsCli = true) =>
  validateLayerTree(root, await walkTree(root), arch, { requireAwsCli });

afterAll(removeTempDirs);

describe('validateLayerTree', () => {
  it('accepts a complete tree and reports its unzipped size', async () => {
    const root = makeLayerTree(0xb7);
    const report = await validate(root, 'arm64');
    expect(report.unzippedBytes).toBeGreaterThan(64 * 3);
  });

  it('accepts bin/aws as an absolute /opt/ symlink, as the AWS installer makes it', async () => {
    const root = makeLayerTree();
    unlinkSync(join(root, 'bin/aws'));
    symlinkSync('/opt/aws-cli/aws', join(root, 'bin/aws'));
    await expect(validate(root)).resolves.toBeDefined();
  });

  // Each broken tree, and the file and reason the error must name.
  const cases: [string, (root: string) => void, RegExp][] = [
    ['no bootstrap', (root) => unlinkSync(join(root, 'bootstrap')), /bootstrap: missing/],
    [
      'no bash transport next to the bootstrap',
      (root) => unlinkSync(join(root, 'bootstrap.d/http-bash.sh')),
      /bootstrap\.d\/http-bash\.sh: missing: the bootstrap sources it under bash/,
    ],
    [
      'a bootstrap that is not executable',
      (root) => chmodSync(join(root, 'bootstrap'), 0o644),
      /bootstrap: is not executable \(mode 0644\)/,
    ],
    [
      'a bootstrap that is a folder',
      (root) => {
        unlinkSync(join(root, 'bootstrap'));
        mkdirSync(join(root, 'bootstrap'));
      },
      /bootstrap: is a directory, not a file/,
    ],
    [
      'a top-level opt/ folder',
      (root) => writeTreeFile(root, 'opt/bin/jq', 'x'),
      /\/opt: a top-level opt\/ folder would end up at \/opt\/opt/,
    ],
    ['no jq', (root) => unlinkSync(join(root, 'bin/jq')), /bin\/jq: missing from the layer tree/],
    [
      'a jq for the other architecture',
      (root) => writeFileSync(join(root, 'bin/jq'), fakeElf(0xb7)),
      /bin\/jq: is built for AArch64, not x86-64 \(amd64\)/,
    ],
    [
      'a jq that is a script',
      (root) => writeFileSync(join(root, 'bin/jq'), '#!/bin/sh\nexec /usr/bin/jq "$@"\n'),
      /bin\/jq: is not an ELF executable/,
    ],
    [
      'no aws',
      (root) => unlinkSync(join(root, 'bin/aws')),
      /bin\/aws: missing from the layer tree/,
    ],
    [
      'an aws binary for the other architecture',
      (root) => writeFileSync(join(root, 'aws-cli/aws'), fakeElf(0xb7)),
      /bin\/aws: is built for AArch64, not x86-64/,
    ],
    [
      'no aws-cli folder',
      (root) => rmSync(join(root, 'aws-cli'), { recursive: true }),
      /aws-cli: missing: the AWS CLI is not in the layer/,
    ],
    [
      'an aws symlink that leaves the layer',
      (root) => {
        unlinkSync(join(root, 'bin/aws'));
        symlinkSync('/usr/local/bin/aws', join(root, 'bin/aws'));
      },
      /bin\/aws: symlink to \/usr\/local\/bin\/aws leaves the layer/,
    ],
    [
      'a dangling symlink',
      (root) => symlinkSync('nothing-here.so', join(root, 'lib/libgone.so.1')),
      /lib\/libgone\.so\.1: points to lib\/nothing-here\.so, which is not in the layer/,
    ],
    [
      'a symlink loop',
      (root) => {
        symlinkSync('loop-b', join(root, 'lib/loop-a'));
        symlinkSync('loop-a', join(root, 'lib/loop-b'));
      },
      /lib\/loop-a: symlink loop/,
    ],
    [
      'a tree over 250 MB unzipped',
      (root) => {
        writeTreeFile(root, 'aws-cli/huge.bin', '');
        truncateSync(join(root, 'aws-cli/huge.bin'), 251 * 1024 * 1024); // sparse: no disk used
      },
      /unzipped size 251\.0 MiB is over Lambda's 250 MB limit/,
    ],
  ];

  it.each(cases)('rejects %s, naming the file', async (_name, breakTree, message) => {
    const root = makeLayerTree();
    breakTree(root);
    const error: unknown = await validate(root).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LayerTreeError);
    expect((error as LayerTreeError).message).toMatch(message);
    expect((error as LayerTreeError).message.startsWith(root)).toBe(true);
  });

  it('does not ask for the AWS CLI in a local-builder tree', async () => {
    const root = makeLayerTree();
    rmSync(join(root, 'aws-cli'), { recursive: true });
    unlinkSync(join(root, 'bin/aws'));
    await expect(validate(root, 'amd64', false)).resolves.toBeDefined();
    await expect(validate(root, 'amd64', true)).rejects.toThrow(/aws-cli: missing/);
  });
});
