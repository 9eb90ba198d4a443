import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push?: { tags?: string[] } };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const readme = readFileSync('README.md', 'utf8');
const permissions = readFileSync('docs/permissions.md', 'utf8');
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .map((name) => join(dir, name));

/** Every workflow we ship or document: ours, the examples, and the README's maintainer snippet. */
const workflows: Array<[string, Workflow]> = [
  ...[...yamlFiles('.github/workflows'), ...yamlFiles('examples/workflows')].map(
    (path): [string, Workflow] => [path, parse(readFileSync(path, 'utf8')) as Workflow],
  ),
  [
    'README.md (maintainer snippet)',
    parse(
      /```yaml\n(# \.github\/workflows\/release\.yml\n[\s\S]*?)```/.exec(readme)![1],
    ) as Workflow,
  ],
];
const jobs = workflows.flatMap(([file, workflow]) =>
  Object.entries(workflow.jobs).map(([name, job]) => ({ file, name, job, workflow })),
);
const uses = (job: Job, action: string): boolean =>
  job.steps.some((step) => step.uses?.startsWith(action));

/** What IAM's StringLike does with `*` and `?`. */
const stringLike = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

/** The OIDC subject GitHub gives a job: its environment when it names one, else its ref. */
function subjectOf(job: Job, workflow: Workflow): string {
  const repo = 'repo:OWNER/lambda-shell-runtime';
  if (job.environment) {
    const name = typeof job.environment === 'string' ? job.environment : job.environment.name;
    return `${repo}:environment:${name}`;
  }
  expect(workflow.on.push?.tags).toEqual(['v*']);
  return `${repo}:ref:refs/tags/v1.2.3`;
}

describe('the release (and retract) workflows', () => {
  const awsJobs = jobs.filter(({ job }) => uses(job, 'aws-actions/configure-aws-credentials'));

  it('are every workflow that configures AWS credentials, the README snippet included', () => {
    expect(awsJobs.map(({ file }) => file).sort()).toEqual([
      '.github/workflows/release.yml',
      'README.md (maintainer snippet)',
      'examples/workflows/release-native-arm64.yml',
      'examples/workflows/retract.yml',
    ]);
  });

  it('start from no permissions (or read-only) at the top', () => {
    for (const [file, workflow] of workflows) {
      const granted = Object.values(workflow.permissions ?? { all: 'none' });
      expect([file, granted.every((level) => level === 'read')]).toEqual([file, true]);
    }
  });

  it('get AWS credentials through OIDC only, in a job the documented trust policy accepts', () => {
    const subjects = [
      ...permissions.matchAll(/"token\.actions\.githubusercontent\.com:sub": "([^"]+)"/g),
    ].map((match) => match[1]);
    expect(subjects.length).toBeGreaterThan(0);
    for (const { file, name, job, workflow } of awsJobs) {
      const where = `${file} job ${name}`;
      expect([where, job.permissions?.['id-token']]).toEqual([where, 'write']);
      const configure = job.steps.find((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials'),
      )!;
      expect([where, Object.keys(configure.with ?? {}).sort()]).toEqual([
        where,
        ['aws-region', 'role-to-assume'],
      ]);
      const subject = subjectOf(job, workflow);
      expect([where, subject, subjects.some((pattern) => stringLike(pattern, subject))]).toEqual([
        where,
        subject,
        true,
      ]);
    }
  });

  it('attest the zips with the permissions attest-build-provenance needs', () => {
    const attesting = jobs.filter(({ job }) => uses(job, 'actions/attest-build-provenance'));
    expect(attesting.length).toBeGreaterThanOrEqual(2);
    for (const { file, name, job } of attesting) {
      expect([file, name, job.permissions]).toEqual([
        file,
        name,
        expect.objectContaining({ 'id-token': 'write', attestations: 'write' }),
      ]);
    }
  });

  it('move the major tag only for a version without a pre-release part', () => {
    const release = jobs.find(({ file }) => file === '.github/workflows/release.yml')!;
    const move = release.job.steps.find((step) => /git push[^\n]*refs\/tags/.test(step.run ?? ''));
    expect(move?.if).toMatch(/!contains\(github\.ref_name, '-'\)/);
    expect(release.job.permissions?.contents).toBe('write');
  });

  /** Runs the step's script as a runner does (bash -e, no rc files), with a git that answers ls-remote. */
  function moveMajorTag(ref: string, remoteTags: string[]): string[] {
    const release = jobs.find(({ file }) => file === '.github/workflows/release.yml')!;
    const script = release.job.steps.find((step) => step.name === 'Move the major tag')!.run!;
    const dir = mkdtempSync(join(tmpdir(), 'lsr-major-'));
    try {
      const git = join(dir, 'git');
      writeFileSync(
        git,
        [
          '#!/bin/sh',
          'if [ "$1" = ls-remote ]; then',
          '  for tag in $REMOTE_TAGS; do printf "%s\\trefs/tags/%s\\n" 0123abcd "$tag"; done',
          'else echo "git $*" >> "$GIT_LOG"; fi',
        ].join('\n'),
      );
      chmodSync(git, 0o755);
      writeFileSync(join(dir, 'log'), '');
      const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          GITHUB_REF_NAME: ref,
          GITHUB_SHA: 'c0ffee',
          REMOTE_TAGS: remoteTags.join(' '),
          GIT_LOG: join(dir, 'log'),
        },
        encoding: 'utf8',
      });
      expect([result.status, result.stderr]).toEqual([0, '']);
      return readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('move the major tag to the newest release of that major only, never back to a backport', () => {
    const moved = ['git tag -f v1 c0ffee', 'git push -f origin refs/tags/v1'];
    expect(moveMajorTag('v1.2.0', ['v1.1.0', 'v1.2.0', 'v1.3.0-rc.1'])).toEqual(moved);
    expect(moveMajorTag('v1.10.0', ['v1.9.0', 'v1.10.0'])).toEqual(moved);
    expect(moveMajorTag('v1.1.5', ['v1.1.5', 'v1.2.0'])).toEqual([]);
  });
});
