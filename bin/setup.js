#!/usr/bin/env node
// `npm run setup`: the system tools `npm start` and `npm test` call, installed with apt when this
// machine can (root, or sudo); otherwise the exact command to run, and a failing exit.
// Python's moto is not here: the tests that need it install it on first use.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Each command the runtime tests, the local builder or the test step runs, and its apt package. */
const TOOLS = {
  shellcheck: 'shellcheck', // the test step and npm run lint
  busybox: 'busybox', // the bootstrap under busybox sh
  dash: 'dash', // the bootstrap under dash
  strace: 'strace', // processes per invocation
  jq: 'jq', // the local builder's layer
  zip: 'zip', // handler zips of the examples
  unzip: 'unzip',
  gpg: 'gpg', // the AWS CLI key of the Dockerfile
};

const onPath = (command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const missing = Object.keys(TOOLS).filter((command) => !onPath(command));
if (missing.length === 0) {
  console.log(`setup: every tool the tests need is installed (${Object.keys(TOOLS).join(', ')})`);
  process.exit(0);
}

const packages = [...new Set(missing.map((command) => TOOLS[command]))];
const isRoot = process.getuid?.() === 0;
const sudo = isRoot ? [] : onPath('sudo') ? ['sudo'] : undefined;
const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...packages];
const shown = (prefix) =>
  [
    [...prefix, 'apt-get', 'update'],
    [...prefix, ...install],
  ]
    .map((argv) => argv.join(' '))
    .join(' && ');

if (process.platform !== 'linux' || !onPath('apt-get')) {
  console.error(
    `setup: missing ${missing.join(', ')}: this machine has no apt-get; install them with its package manager (on Debian or Ubuntu):\n\n  ${shown(isRoot ? [] : ['sudo'])}\n`,
  );
  process.exit(1);
}
if (sudo === undefined) {
  console.error(
    `setup: missing ${missing.join(', ')}; not root and no sudo: as root, run\n\n  ${shown([])}\n`,
  );
  process.exit(1);
}

console.log(`setup: installing ${packages.join(' ')} with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const argv of [['apt-get', 'update', '-qq'], install]) {
  const command = [...sudo, ...argv];
  const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`\nsetup: "${command.join(' ')}" failed; run it yourself:\n\n  ${shown(sudo)}\n`);
    process.exit(1);
  }
}
const still = missing.filter((command) => !onPath(command));
if (still.length > 0) {
  console.error(`setup: still missing after apt-get: ${still.join(', ')}`);
  process.exit(1);
}
console.log(`setup: installed ${packages.join(' ')}`);
