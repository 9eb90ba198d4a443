import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INPUT_DEFAULTS } from '../../src/context.js';
import { actionOutputs } from '../../src/outputs.js';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml;
const readme = readFileSync('README.md', 'utf8');

describe('action.yml', () => {
  it('runs the ESM bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the context reads, with the same defaults', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      const expected = name === 'github-token' ? '${{ github.token }}' : INPUT_DEFAULTS[name];
      expect([name, input.default]).toEqual([name, expected]);
      expect(input.description.length).toBeGreaterThan(10);
    }
  });

  it('bundles by default the AWS CLI version the Dockerfile pins', () => {
    const pinned = /^ARG AWS_CLI_VERSION=(\S+)$/m.exec(
      readFileSync('docker/Dockerfile', 'utf8'),
    )?.[1];
    expect(action.inputs['aws-cli-version'].default).toBe(pinned);
  });

  it('declares exactly the outputs the action sets', () => {
    const outputs = actionOutputs({ version: '1.0.0', dryRun: true, zips: [], done: [] });
    expect(Object.keys(action.outputs).sort()).toEqual(Object.keys(outputs).sort());
  });

  it('is documented input by input and output by output in the README tables', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      const cell = input.default ? `\`${input.default}\`` : '(empty)';
      expect([name, row]).toEqual([name, expect.stringContaining(`| ${cell} |`)]);
    }
    for (const name of Object.keys(action.outputs)) {
      expect([name, readme.includes(`| \`${name}\` |`)]).toEqual([name, true]);
    }
  });
});
