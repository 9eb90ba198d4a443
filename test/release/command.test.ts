import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubServer } from '../helpers/github-server.js';
import { releaseCommand } from '../../src/commands/release.js';
import { releaseFiles } from '../../src/release/index.js';
import { writeManifest } from '../../src/dist.js';
import { parseRepository, parseTag } from '../../src/parsers.js';
import type { Pacing } from '../../src/commands/command.js';
import { FAST, closeBench, openBench, type Captured, type Dist } from './fixtures.js';

const ENV = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY', 'GITHUB_API_URL', 'RELEASE_TOKEN'];

let server: GitHubServer;
let dist: Dist;
let output: Captured;

beforeEach(async () => {
  ({ server, dist, output } = await openBench('1.4.0'));
  process.env.GITHUB_REPOSITORY = `${server.owner}/${server.repo}`;
  process.env.GITHUB_API_URL = server.apiUrl;
});

afterEach(async () => {
  for (const name of ENV) delete process.env[name];
  await closeBench({ server, dist, output });
});

const run = (values: Record<string, string | boolean>, pacing?: Pacing) =>
  releaseCommand.run(values, [], pacing);

describe('lambda-shell-runtime release', () => {
  test('releases the zips, SHA256SUMS and layers.json, printing the URL on stdout', async () => {
    process.env.GITHUB_TOKEN = server.token;
    const layers = { version: '1.4.0', layers: {}, sha256: {} };
    await writeFile(join(dist.dir, 'layers.json'), JSON.stringify(layers));

    expect(await run({ dist: dist.dir, version: '1.4.0' }, { github: FAST })).toBe(0);

    const [release] = server.releases;
    expect(release).toMatchObject({ tagName: 'v1.4.0', draft: false });
    expect(release.assets.map((asset) => asset.name)).toEqual([
      'lambda-shell-runtime-arm64-1.4.0.zip',
      'lambda-shell-runtime-amd64-1.4.0.zip',
      'SHA256SUMS',
      'layers.json',
    ]);
    const stdout = output.lines().filter((line) => line.startsWith('http'));
    expect(stdout).toEqual([
      `${server.serverUrl}/octo-org/lambda-shell-runtime/releases/tag/v1.4.0`,
    ]);
    expect(output.text()).not.toContain(server.token);
  });

  test('keeps GitHub’s pacing by default: its writes go a second apart', async () => {
    process.env.GITHUB_TOKEN = server.token;
    expect(await run({ dist: dist.dir, version: '1.4.0' }, { github: FAST })).toBe(0);
    // A re-run with two files to add (one lost, one new): two writes, so one real wait.
    server.releases[0].assets.pop();
    await writeFile(join(dist.dir, 'layers.json'), JSON.stringify({ version: '1.4.0' }));
    const before = server.requests.length;

    expect(await run({ dist: dist.dir, version: '1.4.0' })).toBe(0);

    const writes = server.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.status} ${r.path.split('?name=')[1]}`)).toEqual([
      '201 SHA256SUMS',
      '201 layers.json',
    ]);
    expect(writes[1].at - writes[0].at).toBeGreaterThanOrEqual(900);
    expect(server.releases[0].assets.map((asset) => asset.name)).toEqual(
      dist.files.map((file) => file.slice(dist.dir.length + 1)).concat('layers.json'),
    );
  }, 30_000);

  test('releases under another tag, in another repository, as a draft, with the token of another variable', async () => {
    process.env.RELEASE_TOKEN = server.token;
    delete process.env.GITHUB_REPOSITORY;

    const code = await run(
      {
        dist: dist.dir,
        version: '1.4.0',
        tag: 'layer-1.4.0',
        repository: `${server.owner}/${server.repo}`,
        draft: true,
        'token-env': 'RELEASE_TOKEN',
      },
      { github: FAST },
    );

    expect(code).toBe(0);
    expect(server.releases).toMatchObject([{ tagName: 'layer-1.4.0', draft: true }]);
  }, 30_000);

  test('a dry run without a token prints the plan and the URL, and sends nothing', async () => {
    expect(await run({ dist: dist.dir, version: 'v1.4.0', 'dry-run': true })).toBe(0);

    expect(server.requests).toEqual([]);
    const text = output.text();
    expect(text).toContain('GITHUB_TOKEN is not set: fine for a dry run');
    expect(text).toContain('dry run: would upload lambda-shell-runtime-amd64-1.4.0.zip');
    expect(text).toContain(
      `${server.serverUrl}/octo-org/lambda-shell-runtime/releases/tag/v1.4.0\n`,
    );
  });

  test.each([
    [{}, /Invalid input "GITHUB_TOKEN": "" .*contents: write/],
    [{ 'token-env': 'RELEASE_TOKEN' }, /Invalid input "RELEASE_TOKEN"/],
  ])('a missing token is an input error naming the variable (%p)', async (extra, message) => {
    await expect(run({ dist: dist.dir, version: '1.4.0', ...extra })).rejects.toThrow(message);
    expect(server.requests).toEqual([]);
  });

  test.each([
    [{ version: 'one' }, /"--version": "one"/],
    [{ version: '1.4.0', repository: 'no-slash' }, /"--repository": "no-slash" .*owner\/repo/],
    [{ version: '1.4.0', tag: 'bad tag' }, /"--tag": "bad tag"/],
    [{ version: '1.4.0', dist: '' }, /"--dist-dir"/],
  ])('bad flags are input errors before any request (%p)', async (values, message) => {
    process.env.GITHUB_TOKEN = server.token;
    await expect(run({ dist: dist.dir, ...values })).rejects.toThrow(message);
    expect(server.requests).toEqual([]);
  });

  test('zips of the local builder are refused before any request, unless allowed', async () => {
    process.env.GITHUB_TOKEN = server.token;
    await writeManifest(dist.dir, {
      version: '1.4.0',
      builder: 'local',
      releasable: false,
      architectures: ['arm64', 'amd64'],
    });
    const before = server.requests.length;
    await expect(run({ dist: dist.dir, version: '1.4.0' })).rejects.toThrow(
      /"dist-dir".*local builder/,
    );
    expect(server.requests.length).toBe(before);
    await writeManifest(dist.dir, {
      version: '1.4.0',
      builder: 'docker',
      releasable: true,
      architectures: ['arm64', 'amd64'],
    });
  });

  test('without a repository (flag or GITHUB_REPOSITORY) it is an input error', async () => {
    process.env.GITHUB_TOKEN = server.token;
    delete process.env.GITHUB_REPOSITORY;
    await expect(run({ dist: dist.dir, version: '1.4.0' })).rejects.toThrow(/"--repository": ""/);
  });
});

describe('releaseFiles', () => {
  test('the zips of the version, SHA256SUMS, and no layers.json when there is none', async () => {
    expect(await releaseFiles(dist.dir, '1.4.0')).toEqual(dist.files);
  });

  test('a layers.json of another version is left out, with a warning', async () => {
    await writeFile(join(dist.dir, 'layers.json'), JSON.stringify({ version: '1.3.0' }));
    expect(await releaseFiles(dist.dir, '1.4.0')).toEqual(dist.files);
    expect(output.text()).toContain('is for version 1.3.0, not 1.4.0: not attached');
  });

  test('a zip that no longer matches SHA256SUMS is refused', async () => {
    await writeFile(
      dist.zips.arm64,
      Buffer.concat([await readFile(dist.zips.arm64), Buffer.from('x')]),
    );
    await expect(releaseFiles(dist.dir, '1.4.0')).rejects.toThrow(/does not match SHA256SUMS/);
  });
});

describe('parsers', () => {
  test('reads owner/repo, and refuses any other shape', () => {
    expect(parseRepository('octo-org/lambda-shell-runtime')).toEqual({
      owner: 'octo-org',
      repo: 'lambda-shell-runtime',
    });
    expect(() => parseRepository('a/b/c')).toThrow(/owner\/repo/);
  });

  test.each(['v1.2.3', 'v1.2.3-rc.1', 'release/1.2.3'])('parseTag accepts %s', (tag) => {
    expect(parseTag(tag)).toBe(tag);
  });

  test.each(['-v1', 'v1..2', 'v1 2', 'v1.lock', 'v1/', 'v1~1', 'v1:2', 'a@{b'])(
    'parseTag refuses %s',
    (tag) => {
      expect(() => parseTag(tag)).toThrow(/a git tag name/);
    },
  );
});
