import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { hostArchitecture } from '../../src/platform.js';

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};
const runnerDefaults = Object.fromEntries(
  Object.entries(action.inputs).map(([name, input]) => [
    name,
    input.default === '${{ github.token }}' ? 'ghs_supersecrettoken123' : (input.default ?? ''),
  ]),
);

/** Runs the committed bundle exactly as a runner does: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. */
function runAction(inputs: Record<string, string>, runnerEnv: NodeJS.ProcessEnv = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'lsr-action-'));
  const outputFile = join(workspace, 'github_output');
  const summaryFile = join(workspace, 'step_summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'octo/lambda-shell-runtime',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_WORKSPACE: workspace,
    // The runner passes every input of action.yml, its default where the workflow gives none.
    ...Object.fromEntries(
      Object.entries({ ...runnerDefaults, ...inputs }).map(([name, value]) => [
        `INPUT_${name.toUpperCase()}`,
        value,
      ]),
    ),
    ...runnerEnv,
  };
  const child = spawnSync(process.execPath, [resolve('dist/index.js')], {
    cwd: workspace,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const result = {
    status: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
  rmSync(workspace, { recursive: true, force: true });
  return result;
}

/** Parses the runner's GITHUB_OUTPUT file format: name<<DELIMITER\nvalue\nDELIMITER. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]] = match[3];
  return outputs;
}

describe('dist/index.js run as a runner runs it', () => {
  const arch = hostArchitecture()!;

  it('dry run on the local builder: builds, tests, plans, sets every output and writes the summary', () => {
    // Exactly what a workflow step with `dry-run: true` and `builder: local` gives the action.
    const result = runAction({ builder: 'local', 'dry-run': 'true' });
    // The one line allowed to carry the token is the runner's own masking command.
    expect(result.stdout).toContain('::add-mask::ghs_supersecrettoken123\n');
    expect(result.stdout.replace('::add-mask::ghs_supersecrettoken123\n', '')).not.toContain(
      'ghs_supersecrettoken123',
    );
    expect(result.stdout).not.toMatch(/^::error::/m);
    expect(result.stdout).not.toMatch(/::group::[^\n]*\n(?:(?!::endgroup::)[^\n]*\n)*::group::/);
    expect(result.status).toBe(0);
    expect(Object.keys(result.outputs).sort()).toEqual(
      [
        'layer-arn-amd64',
        'layer-arn-arm64',
        'layer-arns',
        'layer-failures',
        'plan',
        'release-url',
        'sar-application-id',
        'version',
        'zips',
      ].sort(),
    );
    expect(result.outputs.version).toBe('1.2.3');
    const zips = JSON.parse(result.outputs.zips) as string[];
    expect(zips).toHaveLength(1);
    expect(zips[0]).toMatch(new RegExp(`lambda-shell-runtime-${arch}-1\\.2\\.3\\.zip$`));
    // A dry run's ARNs would be placeholders: those outputs are empty, the plan says what it would do.
    for (const name of ['layer-arns', `layer-arn-${arch}`, 'sar-application-id', 'release-url'])
      expect([name, result.outputs[name]]).toEqual([name, '']);
    expect(result.outputs.plan).toMatch(
      new RegExp(`^us-east-1 lambda:PublishLayerVersion .*lambda-shell-runtime-${arch}`, 'm'),
    );
    expect(result.outputs.plan).toMatch(/^github .* release v1\.2\.3: /m);
    expect(result.summary).toContain('The calls a real run would make');
    expect(result.stdout).toMatch(/^::warning::dry run: no regions given/m);
    expect(result.summary).toContain('<table>');
    expect(result.summary).toContain('us-east-1');
    expect(result.stdout).toContain('::group::');
  });

  it('speaks the runner protocol as @actions/core does even where GITHUB_ACTIONS is unset', () => {
    const result = runAction(
      { builder: 'local', architectures: arch, steps: 'build', regions: 'us-east-1,atlantis-1' },
      { GITHUB_ACTIONS: undefined },
    );
    expect(result.stdout).toContain('::add-mask::ghs_supersecrettoken123\n');
    expect(result.stdout).toMatch(/^::error::Invalid input "regions": "atlantis-1"/m);
    expect(result.stderr).not.toContain('ghs_supersecrettoken123');
    expect(result.status).toBe(1);
    const built = runAction(
      { builder: 'local', architectures: arch, steps: 'build' },
      { GITHUB_ACTIONS: undefined },
    );
    expect(built.status).toBe(0);
    expect(built.stdout).toMatch(/^::group::Build /m);
    expect(built.stdout).toMatch(/^::endgroup::$/m);
  });

  it('a bad input fails the step naming the input, before any step runs', () => {
    const result = runAction({
      builder: 'local',
      architectures: arch,
      regions: 'us-east-1,atlantis-1',
      's3-bucket': 'x-bucket',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^::error::Invalid input "regions": "atlantis-1"/m);
    expect(result.stdout).not.toContain('::group::');
    expect(result.outputs).toEqual({});
  });

  it('is also the CLI bundle: imported (as bin/ does) it exports runCli and starts no action', () => {
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)}); console.log(typeof m.runCli);`,
      ],
      { env: { PATH: process.env.PATH, GITHUB_ACTIONS: 'true' }, encoding: 'utf8' },
    );
    expect([child.status, child.stdout, child.stderr]).toEqual([0, 'function\n', '']);
    expect(readdirSync('dist').filter((name) => name.endsWith('.js'))).toEqual(['index.js']);
  });
});
