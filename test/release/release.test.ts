import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubServer, type RecordedRequest } from '../helpers/github-server.js';
import {
  finishRelease,
  prepareRelease,
  releaseAssets,
  uploadAssets,
} from '../../src/release/index.js';
import {
  FAST,
  closeBench,
  makeDist,
  openBench,
  optionsFor,
  rejectionOf,
  type Captured,
  type Dist,
} from './fixtures.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const names = (dist: Dist): string[] => dist.files.map((file) => file.slice(dist.dir.length + 1));
const uploads = (server: GitHubServer): RecordedRequest[] =>
  server.requests.filter((r) => r.method === 'POST' && /\/releases\/\d+\/assets/.test(r.path));
const count = (server: GitHubServer, method: string, path: RegExp): number =>
  server.requests.filter((r) => r.method === method && path.test(r.path)).length;

let server: GitHubServer;
let dist: Dist;
let output: Captured;

beforeEach(async () => {
  ({ server, dist, output } = await openBench());
});

afterEach(async () => {
  await closeBench({ server, dist, output });
  delete process.env.GITHUB_ACTIONS;
  delete process.env.GITHUB_API_URL;
});

describe('a first release', () => {
  test('creates a draft, uploads every file through upload_url, then publishes', async () => {
    const result = await releaseAssets(optionsFor(server, dist));

    const [release] = server.releases;
    expect(server.releases).toHaveLength(1);
    expect(release).toMatchObject({
      tagName: 'v1.2.3',
      name: 'v1.2.3',
      draft: false,
      prerelease: false,
    });
    expect(result.url).toBe(
      `${server.serverUrl}/${server.owner}/${server.repo}/releases/tag/v1.2.3`,
    );
    expect(result.uploaded).toEqual(names(dist));
    expect(result.kept).toEqual([]);
    for (const file of dist.files) {
      const asset = release.assets.find((candidate) => file.endsWith(`/${candidate.name}`));
      expect(asset?.bytes.equals(await readFile(file))).toBe(true);
    }
    // Created as a draft (POST draft: true), published last (PATCH draft: false).
    const methods = server.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`);
    expect(methods[0]).toBe(`GET /repos/${server.owner}/${server.repo}/releases/tags/v1.2.3`);
    expect(methods.at(-1)).toBe(
      `PATCH /repos/${server.owner}/${server.repo}/releases/${release.id}`,
    );
  });

  test('uploads go to the upload_url prefix with name, Content-Type and Content-Length', async () => {
    await releaseAssets(optionsFor(server, dist));

    const sent = uploads(server);
    expect(sent.map((r) => new URL(r.path, server.apiUrl).searchParams.get('name'))).toEqual(
      names(dist),
    );
    for (const request of sent) {
      expect(request.path).toMatch(
        /^\/uploads\/repos\/octo-org\/lambda-shell-runtime\/releases\/\d+\/assets\?name=/,
      );
      expect(request.status).toBe(201);
      expect(Number(request.headers['content-length'])).toBe(request.bodyLength);
    }
    expect(sent.map((r) => r.headers['content-type'])).toEqual([
      'application/zip',
      'application/zip',
      'application/octet-stream',
    ]);
  });

  test('sends the token as Authorization on every API and upload request', async () => {
    await releaseAssets(optionsFor(server, dist));

    expect(server.requests.length).toBeGreaterThan(5);
    for (const request of server.requests)
      expect(request.headers.authorization).toBe(`token ${server.token}`);
  });

  test('a pre-release version makes a pre-release', async () => {
    const rc = await makeDist('2.0.0-rc.1');
    try {
      await releaseAssets(optionsFor(server, rc));
      expect(server.releasesForTag('v2.0.0-rc.1')).toMatchObject([
        { prerelease: true, draft: false },
      ]);
    } finally {
      await rc.remove();
    }
  });

  test('with draft, the release stays a draft and the URL is the draft page', async () => {
    const result = await releaseAssets(optionsFor(server, dist, { draft: true }));

    expect(server.releases).toMatchObject([{ draft: true }]);
    expect(result.url).toMatch(/\/releases\/tag\/untagged-[0-9a-f]+$/);
    expect(count(server, 'PATCH', /./)).toBe(0);
  });
});

describe('the "Latest" release', () => {
  const releaseVersion = async (version: string): Promise<number> => {
    const other = await makeDist(version);
    try {
      await releaseAssets(optionsFor(server, other));
      return server.releasesForTag(`v${version}`)[0].id;
    } finally {
      await other.remove();
    }
  };

  test('a first release and a newer one become Latest', async () => {
    await releaseAssets(optionsFor(server, dist));
    expect(server.latest?.id).toBe(server.releasesForTag('v1.2.3')[0].id);
    expect(await releaseVersion('1.10.0')).toBe(server.latest?.id);
  });

  test('a backport (1.1.5 after 1.2.0) is published without taking Latest', async () => {
    server.seedRelease({ tag: 'v1.2.0' });
    const backport = await releaseVersion('1.1.5');
    expect(server.releases.find((release) => release.id === backport)).toMatchObject({
      draft: false,
    });
    expect(server.latest?.id).not.toBe(backport);
    const publish = server.requests.find((request) => request.method === 'PATCH');
    expect(JSON.parse(publish!.body.toString())).toMatchObject({
      draft: false,
      make_latest: 'false',
    });
  });

  test('a version with build metadata is a release: published as Latest, not a pre-release', async () => {
    server.seedRelease({ tag: 'v1.2.0' });
    const version = '1.2.3+build-1';
    await releaseAssets(optionsFor(server, dist, { tag: `v${version}`, version, files: [] }));
    const [release] = server.releasesForTag(`v${version}`);
    expect(release).toMatchObject({ prerelease: false, draft: false });
    const publish = server.requests.find((request) => request.method === 'PATCH');
    expect(JSON.parse(publish!.body.toString())).toMatchObject({ make_latest: 'true' });
    expect(server.latest?.id).toBe(release.id);
  });

  test('a prerelease leaves the choice to GitHub (no make_latest)', async () => {
    await releaseVersion('2.0.0-rc.1');
    const publish = server.requests.find((request) => request.method === 'PATCH');
    expect(JSON.parse(publish!.body.toString())).not.toHaveProperty('make_latest');
    expect(server.latest?.id).toBeUndefined();
  });
});

describe('finding the release', () => {
  test('reuses the published release of the tag: no new release, no publish', async () => {
    const seeded = server.seedRelease({ tag: 'v1.2.3' });

    const result = await releaseAssets(optionsFor(server, dist));

    expect(server.releases).toHaveLength(1);
    expect(seeded.assets.map((asset) => asset.name)).toEqual(names(dist));
    expect(count(server, 'POST', /\/releases$/)).toBe(0);
    expect(count(server, 'PATCH', /./)).toBe(0);
    expect(result.url).toMatch(/\/releases\/tag\/v1\.2\.3$/);
  });

  test('finds a draft through the release list (the tags endpoint hides drafts) and publishes it', async () => {
    server.seedRelease({ tag: 'v1.2.2' });
    const draft = server.seedRelease({ tag: 'v1.2.3', draft: true });
    server.seedRelease({ tag: 'v1.2.4', draft: true });

    await releaseAssets(optionsFor(server, dist));

    const tagLookup = server.requests.find((r) => r.path.includes('/releases/tags/'));
    expect(tagLookup?.status).toBe(404);
    expect(count(server, 'GET', /\/releases\?/)).toBe(1);
    expect(count(server, 'POST', /\/releases$/)).toBe(0);
    expect(server.releasesForTag('v1.2.3')).toEqual([draft]);
    expect(draft.draft).toBe(false);
    expect(draft.assets).toHaveLength(3);
  });

  test('draft asked, release already published: it stays published (GitHub would not take it back)', async () => {
    server.seedRelease({ tag: 'v1.2.3' });

    const result = await releaseAssets(optionsFor(server, dist, { draft: true }));

    expect(server.releases).toMatchObject([{ draft: false }]);
    expect(result.url).toMatch(/\/releases\/tag\/v1\.2\.3$/);
    expect(count(server, 'PATCH', /./)).toBe(0);
  });

  test('re-runs as a draft never create a second draft for the tag', async () => {
    await releaseAssets(optionsFor(server, dist, { draft: true }));
    await releaseAssets(optionsFor(server, dist, { draft: true }));

    expect(server.releasesForTag('v1.2.3')).toMatchObject([{ draft: true }]);
    expect(count(server, 'POST', /\/releases$/)).toBe(1);
  });
});

describe('idempotent assets', () => {
  test('a second run uploads, deletes and creates nothing', async () => {
    await releaseAssets(optionsFor(server, dist));
    const before = server.requests.length;

    const second = await releaseAssets(optionsFor(server, dist));

    const later = server.requests.slice(before);
    expect(later.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(second).toMatchObject({ uploaded: [], replaced: [], kept: names(dist) });
    expect(output.text()).toContain(
      'kept lambda-shell-runtime-arm64-1.2.3.zip: the release has the same content',
    );
  });

  test('a changed asset is deleted and uploaded again; unchanged ones are kept', async () => {
    const sums = await readFile(join(dist.dir, 'SHA256SUMS'));
    const release = server.seedRelease({
      tag: 'v1.2.3',
      assets: [
        { name: 'lambda-shell-runtime-arm64-1.2.3.zip', content: 'an older build' },
        { name: 'SHA256SUMS', content: sums },
        { name: 'notes.txt', content: 'left alone' },
      ],
    });
    const oldId = release.assets[0].id;

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.replaced).toEqual(['lambda-shell-runtime-arm64-1.2.3.zip']);
    expect(result.kept).toEqual(['SHA256SUMS']);
    expect(result.uploaded).toEqual([
      'lambda-shell-runtime-arm64-1.2.3.zip',
      'lambda-shell-runtime-amd64-1.2.3.zip',
    ]);
    expect(count(server, 'DELETE', new RegExp(`/releases/assets/${oldId}$`))).toBe(1);
    const arm64 = release.assets.find(
      (asset) => asset.name === 'lambda-shell-runtime-arm64-1.2.3.zip',
    );
    expect(arm64?.bytes.equals(await readFile(dist.zips.arm64))).toBe(true);
    expect(release.assets.map((asset) => asset.name)).toContain('notes.txt');
  });

  test('same name and size, different content, with a digest: replaced on the digest alone', async () => {
    const bytes = await readFile(dist.zips.arm64);
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] ^= 0x01;
    const release = server.seedRelease({
      tag: 'v1.2.3',
      assets: [{ name: 'lambda-shell-runtime-arm64-1.2.3.zip', content: changed }],
    });
    const oldId = release.assets[0].id;

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.replaced).toEqual(['lambda-shell-runtime-arm64-1.2.3.zip']);
    expect(count(server, 'DELETE', new RegExp(`/releases/assets/${oldId}$`))).toBe(1);
    const arm64 = release.assets.find(
      (asset) => asset.name === 'lambda-shell-runtime-arm64-1.2.3.zip',
    );
    expect(arm64?.bytes.equals(bytes)).toBe(true);
    expect(arm64?.digest).toBe(`sha256:${sha256(bytes)}`);
    // The digest decided: nothing was downloaded to compare.
    expect(server.requests.filter((r) => r.host === 'storage')).toEqual([]);
  });

  test('without a digest (older assets), same size is compared byte for byte, downloaded without the token', async () => {
    const arm64 = await readFile(dist.zips.arm64);
    const amd64 = await readFile(dist.zips.amd64);
    const changed = Buffer.from(amd64);
    changed[0] ^= 0xff;
    server.seedRelease({
      tag: 'v1.2.3',
      assets: [
        { name: 'lambda-shell-runtime-arm64-1.2.3.zip', content: arm64, digest: false },
        { name: 'lambda-shell-runtime-amd64-1.2.3.zip', content: changed, digest: false },
      ],
    });

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.kept).toEqual(['lambda-shell-runtime-arm64-1.2.3.zip']);
    expect(result.replaced).toEqual(['lambda-shell-runtime-amd64-1.2.3.zip']);
    const downloads = server.requests.filter((r) => r.host === 'storage');
    expect(downloads).toHaveLength(2);
    // GitHub redirects to a signed URL on another host: the token must not follow it there.
    for (const download of downloads) expect(download.headers.authorization).toBeUndefined();
    const assetGets = server.requests.filter(
      (r) => r.method === 'GET' && /\/releases\/assets\/\d+$/.test(r.path),
    );
    expect(assetGets.map((r) => [r.status, r.headers.accept])).toEqual([
      [302, 'application/octet-stream'],
      [302, 'application/octet-stream'],
    ]);
  });

  test('an upload that never finished (state "open") is replaced', async () => {
    const bytes = await readFile(dist.zips.arm64);
    const release = server.seedRelease({
      tag: 'v1.2.3',
      assets: [{ name: 'lambda-shell-runtime-arm64-1.2.3.zip', content: bytes, state: 'open' }],
    });

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.replaced).toEqual(['lambda-shell-runtime-arm64-1.2.3.zip']);
    expect(release.assets.every((asset) => asset.state === 'uploaded')).toBe(true);
  });

  test('paginates the asset list (Link headers) to find assets past the first page', async () => {
    const existing = await Promise.all(dist.files.map((file) => readFile(file)));
    server.seedRelease({
      tag: 'v1.2.3',
      assets: [
        ...Array.from({ length: 150 }, (_, i) => ({ name: `other-${i}.txt`, content: `${i}` })),
        ...dist.files.map((file, i) => ({
          name: file.slice(dist.dir.length + 1),
          content: existing[i],
        })),
      ],
    });

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.kept).toEqual(names(dist));
    const pages = server.requests.filter((r) => /\/assets\?/.test(r.path) && r.method === 'GET');
    expect(pages).toHaveLength(2);
    expect(pages[1].path).toMatch(
      /^\/repositories\/\d+\/releases\/\d+\/assets\?per_page=100&page=2$/,
    );
  });

  test('a 422 already_exists race: looks again, and keeps what the other run uploaded', async () => {
    const release = server.seedRelease({ tag: 'v1.2.3' });
    const bytes = await readFile(dist.zips.arm64);
    server.failNext({
      method: 'POST',
      path: /\/assets$/,
      // Another run's upload lands first; GitHub then answers this one 422 already_exists.
      pass: true,
      effect: () =>
        release.assets.push({
          id: 999,
          name: 'lambda-shell-runtime-arm64-1.2.3.zip',
          contentType: 'application/zip',
          state: 'uploaded',
          bytes,
          digest: `sha256:${sha256(bytes)}`,
          createdAt: new Date().toISOString(),
        }),
    });

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.kept).toEqual(['lambda-shell-runtime-arm64-1.2.3.zip']);
    expect(release.assets.map((asset) => asset.name)).toEqual(names(dist));
    expect(output.text()).toContain('appeared on release v1.2.3 meanwhile');
  });
});

describe('retries', () => {
  test('5xx answers are retried', async () => {
    server.failNext({ method: 'GET', path: /\/releases\/tags\//, times: 1, status: 500 });
    server.failNext({ method: 'POST', path: /\/assets$/, times: 2, status: 502 });

    const result = await releaseAssets(optionsFor(server, dist));

    expect(result.uploaded).toEqual(names(dist));
    expect(uploads(server).map((r) => r.status)).toEqual([502, 502, 201, 201, 201]);
    expect(count(server, 'GET', /\/releases\/tags\//)).toBe(2);
  });

  test('retries are bounded: a lasting 5xx fails with the step and status named', async () => {
    server.failNext({ method: 'POST', path: /\/releases$/, times: 100, status: 503 });

    await expect(releaseAssets(optionsFor(server, dist))).rejects.toThrow(
      /create a draft release for v1\.2\.3 failed \(HTTP 503\)/,
    );
    expect(count(server, 'POST', /\/releases$/)).toBe(4);
  });

  test('a secondary rate limit is waited out for its retry-after', async () => {
    server.secondaryRateLimitNext('POST', /\/releases$/, 1, 5);

    await releaseAssets(optionsFor(server, dist, { tuning: { ...FAST, msPerSecond: 10 } }));

    const creates = server.requests.filter(
      (r) => r.method === 'POST' && /\/releases$/.test(r.path),
    );
    expect(creates.map((r) => r.status)).toEqual([403, 201]);
    // retry-after 5 s at 10 ms per second: at least 50 ms between the two.
    expect(creates[1].at - creates[0].at).toBeGreaterThanOrEqual(45);
    expect(output.text()).toMatch(/GitHub secondary rate limit on POST .*: retrying in 5 s/);
  });

  test('a rate limit asking for too long a wait fails instead of sleeping', async () => {
    server.secondaryRateLimitNext('POST', /\/releases$/, 1, 3600);

    await expect(releaseAssets(optionsFor(server, dist))).rejects.toThrow(
      /HTTP 403.*secondary rate limit/,
    );
    expect(output.text()).toContain('giving up (asked to wait 3600 s)');
  });
});

describe('a write whose answer is lost (GitHub applied it, then 500 or a dropped connection)', () => {
  const lost: Array<[string, { status?: number; drop?: boolean }]> = [
    ['HTTP 500', { status: 500 }],
    ['a dropped connection', { drop: true }],
  ];
  const creates = (s: GitHubServer): RecordedRequest[] =>
    s.requests.filter((r) => r.method === 'POST' && /\/releases$/.test(r.path));

  test.each(lost)(
    'create-release, then %s: one release, found in the list, never created twice',
    async (_, fault) => {
      server.failNext({ method: 'POST', path: /\/releases$/, apply: true, ...fault });

      const result = await releaseAssets(optionsFor(server, dist));

      expect(creates(server)).toHaveLength(1);
      expect(server.releasesForTag('v1.2.3')).toHaveLength(1);
      const [release] = server.releasesForTag('v1.2.3');
      expect(release.draft).toBe(false);
      expect(release.assets.map((asset) => asset.name)).toEqual(names(dist));
      expect(result.uploaded).toEqual(names(dist));
      // The lookup after the failure: the release list (the tags endpoint hides drafts).
      const after = server.requests.slice(server.requests.indexOf(creates(server)[0]) + 1);
      expect(after[0]).toMatchObject({ method: 'GET', status: 200 });
      expect(after[0].path).toMatch(/\/releases\?per_page=100$/);
      expect(output.text()).toContain(
        'looking for the draft release for v1.2.3 that attempt may have created',
      );
    },
  );

  test.each(lost)(
    'create-release as a draft, then %s: exactly one draft, and a re-run keeps it',
    async (_, fault) => {
      server.failNext({ method: 'POST', path: /\/releases$/, apply: true, ...fault });

      await releaseAssets(optionsFor(server, dist, { draft: true }));
      await releaseAssets(optionsFor(server, dist, { draft: true }));

      expect(server.releasesForTag('v1.2.3')).toMatchObject([{ draft: true }]);
      expect(server.releasesForTag('v1.2.3')[0].assets).toHaveLength(3);
      expect(creates(server)).toHaveLength(1);
    },
  );

  test('a create left unanswered past the timeout: looked for, found, not sent again', async () => {
    server.failNext({ method: 'POST', path: /\/releases$/, apply: true, delayMs: 1500 });

    await releaseAssets(
      optionsFor(server, dist, { tuning: { ...FAST, createTimeoutMs: 200 }, draft: true }),
    );

    expect(creates(server)).toHaveLength(1);
    expect(server.releasesForTag('v1.2.3')).toMatchObject([{ draft: true }]);
    expect(output.text()).toMatch(/create a draft release for v1\.2\.3 failed.*timeout/);
  });

  test('a create that GitHub did not apply (500) is sent again once nothing is found', async () => {
    server.failNext({ method: 'POST', path: /\/releases$/, status: 500 });

    await releaseAssets(optionsFor(server, dist));

    expect(creates(server).map((r) => r.status)).toEqual([500, 201]);
    expect(server.releasesForTag('v1.2.3')).toMatchObject([{ draft: false }]);
  });

  test.each(lost)(
    'the second upload, then %s: one asset of each name, each sent once',
    async (_, fault) => {
      server.failNext({ method: 'POST', path: /\/assets$/, nth: 2, apply: true, ...fault });

      const result = await releaseAssets(optionsFor(server, dist));

      const [release] = server.releases;
      expect(release.assets.map((asset) => asset.name)).toEqual(names(dist));
      for (const file of dist.files) {
        const asset = release.assets.find((candidate) => file.endsWith(`/${candidate.name}`));
        expect(asset?.bytes.equals(await readFile(file))).toBe(true);
      }
      expect(uploads(server)).toHaveLength(3);
      expect(result).toMatchObject({ uploaded: names(dist), replaced: [], kept: [] });
    },
  );

  test('an upload cut off half-way (asset left "open") is deleted and sent again', async () => {
    const release = server.seedRelease({ tag: 'v1.2.3', draft: true });
    server.failNext({
      method: 'POST',
      path: /\/assets$/,
      drop: true,
      effect: () =>
        release.assets.push({
          id: 4242,
          name: 'lambda-shell-runtime-arm64-1.2.3.zip',
          contentType: 'application/zip',
          state: 'open',
          bytes: Buffer.from('partial'),
          digest: null,
          createdAt: new Date().toISOString(),
        }),
    });

    await releaseAssets(optionsFor(server, dist));

    expect(release.assets.map((asset) => [asset.name, asset.state])).toEqual(
      names(dist).map((name) => [name, 'uploaded']),
    );
    expect(count(server, 'DELETE', /\/releases\/assets\/4242$/)).toBe(1);
  });

  test.each(lost)('after %s on any one write, a second run changes nothing', async (_, fault) => {
    for (const path of [/\/releases$/, /\/assets$/, /\/releases\/\d+$/]) {
      const run = await GitHubServer.start();
      try {
        run.failNext({
          method: path.source.includes('d+$') ? 'PATCH' : 'POST',
          path,
          apply: true,
          ...fault,
        });
        await releaseAssets(optionsFor(run, dist));
        const before = run.requests.length;
        const again = await releaseAssets(optionsFor(run, dist));
        expect(run.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
        expect(again.kept).toEqual(names(dist));
        expect(run.releases).toMatchObject([{ draft: false, tagName: 'v1.2.3' }]);
        expect(run.releases[0].assets).toHaveLength(3);
      } finally {
        await run.close();
      }
    }
  });
});

describe('a token short of rights', () => {
  /** The error of a run whose matching request GitHub answers 404. */
  const failingWith404 = (method: string, path: RegExp): Promise<Error> => {
    server.failNext({ method, path, status: 404, body: { message: 'Not Found', status: '404' } });
    return rejectionOf(releaseAssets(optionsFor(server, dist)));
  };
  const WORKFLOWS = /\.github\/workflows\/.*workflows: write.*workflow scope/s;

  test('403 "Resource not accessible by integration": names contents: write and the workflows permission', async () => {
    const readOnly = await GitHubServer.start({ contents: 'read' });
    try {
      const error = await rejectionOf(releaseAssets(optionsFor(readOnly, dist)));
      expect(error.message).toMatch(
        /create a draft release for v1\.2\.3 failed \(HTTP 403\): Resource not accessible by integration.*contents: write/s,
      );
      expect(error.message).toMatch(WORKFLOWS);
      expect(readOnly.releases).toEqual([]);
    } finally {
      await readOnly.close();
    }
  });

  test('404 on create-release: says the token may not see or write the repository', async () => {
    const error = await failingWith404('POST', /\/releases$/);
    expect(error.message).toMatch(
      /create a draft release for v1\.2\.3 failed \(HTTP 404\): Not Found.*cannot see the repository or may not write releases.*contents: write/s,
    );
    expect(error.message).toMatch(WORKFLOWS);
  });

  test('404 on the release list (a repository the token cannot see): the same hint', async () => {
    const error = await failingWith404('GET', /\/releases$/);
    expect(error.message).toMatch(
      /list the releases of octo-org\/lambda-shell-runtime failed \(HTTP 404\): Not Found\. GitHub answers 404 when the token cannot see the repository/,
    );
  });

  test('a 404 on a release asset gets no such hint', async () => {
    server.seedRelease({ tag: 'v1.2.3' });
    const error = await failingWith404('GET', /\/assets$/);
    expect(error.message).toMatch(
      /list the assets of release v1\.2\.3 failed \(HTTP 404\): Not Found$/,
    );
  });
});

describe('GitHub Enterprise Server', () => {
  test('API under /api/v3, uploads through upload_url on another host', async () => {
    const ghes = await GitHubServer.start({ ghes: true });
    try {
      await releaseAssets(optionsFor(ghes, dist));

      expect(ghes.releases).toMatchObject([{ draft: false }]);
      const api = ghes.requests.filter((r) => r.host === 'api');
      expect(api.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
      const sent = ghes.requests.filter((r) => r.method === 'POST' && r.path.includes('/assets'));
      expect(sent).toHaveLength(3);
      for (const upload of sent) {
        expect(upload.host).toBe('storage');
        expect(upload.path).toMatch(/^\/api\/uploads\/repos\//);
        expect(upload.headers.authorization).toBe(`token ${ghes.token}`);
      }
    } finally {
      await ghes.close();
    }
  });

  test('an API URL with a trailing slash is used without it', async () => {
    const ghes = await GitHubServer.start({ ghes: true });
    try {
      await releaseAssets({ ...optionsFor(ghes, dist), apiUrl: `${ghes.apiUrl}/` });
      expect(ghes.releases).toHaveLength(1);
      expect(ghes.requests[0].path).toBe(
        '/api/v3/repos/octo-org/lambda-shell-runtime/releases/tags/v1.2.3',
      );
    } finally {
      await ghes.close();
    }
  });
});

describe('dry run', () => {
  test('prints the plan and sends no request, even without a token', async () => {
    const result = await releaseAssets(optionsFor(server, dist, { dryRun: true, token: '' }));

    expect(server.requests).toEqual([]);
    expect(result).toEqual({
      // The web host derived from the API URL (no GITHUB_SERVER_URL here).
      url: `${server.serverUrl}/octo-org/lambda-shell-runtime/releases/tag/v1.2.3`,
      uploaded: [],
      replaced: [],
      kept: [],
    });
    const text = output.text();
    expect(text).toContain(
      'dry run: would find the release of v1.2.3 in octo-org/lambda-shell-runtime',
    );
    for (const name of names(dist)) expect(text).toContain(`dry run: would upload ${name} (`);
    expect(text).toContain('dry run: would publish the release v1.2.3');
  });

  test.each([
    ['https://api.github.com', undefined, 'https://github.com'],
    ['https://ghe.example.com/api/v3', undefined, 'https://ghe.example.com'],
    ['https://ghe.example.com/api/v3', 'https://ghe.example.com/', 'https://ghe.example.com'],
  ])('plans the release page of %s (server URL %s)', async (apiUrl, serverUrl, web) => {
    const result = await releaseAssets(
      optionsFor(server, dist, { dryRun: true, apiUrl, serverUrl }),
    );
    expect(result.url).toBe(`${web}/octo-org/lambda-shell-runtime/releases/tag/v1.2.3`);
  });

  test('the pipeline calls (prepare, upload layers.json, finish) make no request either', async () => {
    const options = optionsFor(server, dist, { dryRun: true });
    const layersJson = join(dist.dir, 'layers.json');
    await writeFile(layersJson, '{}\n');

    const handle = await prepareRelease(options);
    await uploadAssets(handle, [layersJson], options);
    await finishRelease(handle, options);

    expect(server.requests).toEqual([]);
    expect(output.text()).toContain('dry run: would upload layers.json');
  });
});

describe('the pipeline calls', () => {
  test('prepare uploads the files to a draft, uploadAssets adds layers.json, finish publishes', async () => {
    const { files, ...settings } = optionsFor(server, dist);
    const handle = await prepareRelease({ ...settings, files });
    expect(handle).toMatchObject({ draft: true, created: true, dryRun: false });
    expect(handle.uploadUrl).toBe(
      `${server.uploadsUrl}/repos/octo-org/lambda-shell-runtime/releases/${handle.id}/assets`,
    );
    expect(handle.outcome.uploaded).toEqual(names(dist));
    expect(server.releases[0].draft).toBe(true);

    const layersJson = join(dist.dir, 'layers.json');
    await writeFile(layersJson, '{"version":"1.2.3"}\n');
    const more = await uploadAssets(handle, [layersJson], settings);
    expect(more.uploaded).toEqual(['layers.json']);
    expect(
      server.releases[0].assets.find((asset) => asset.name === 'layers.json')?.contentType,
    ).toBe('application/json');

    const { url } = await finishRelease(handle, settings);
    expect(url).toMatch(/\/releases\/tag\/v1\.2\.3$/);
    expect(server.releases[0].draft).toBe(false);
  });
});

describe('clear errors', () => {
  test('an asset name GitHub would rename fails before any request', async () => {
    const odd = join(dist.dir, 'layer (arm64).zip');
    await writeFile(odd, 'x');

    await expect(releaseAssets(optionsFor(server, dist, { files: [odd] }))).rejects.toThrow(
      /Invalid input "files".*layer \(arm64\)\.zip.*letters, digits/,
    );
    expect(server.requests).toEqual([]);
  });

  test('a published immutable release with a changed asset: fails before touching it, says to use a draft', async () => {
    const release = server.seedRelease({
      tag: 'v1.2.3',
      immutable: true,
      assets: [{ name: 'lambda-shell-runtime-arm64-1.2.3.zip', content: 'old' }],
    });

    await expect(releaseAssets(optionsFor(server, dist))).rejects.toThrow(
      /v1\.2\.3 is published and immutable.*lambda-shell-runtime-arm64-1\.2\.3\.zip.*uploads every asset to a draft/s,
    );
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(release.assets).toHaveLength(1);
  });

  test('an immutable 422 on upload (no "immutable" field, older servers) gets the same advice', async () => {
    server.seedRelease({ tag: 'v1.2.3' });
    server.failNext({
      method: 'POST',
      path: /\/assets$/,
      times: 1,
      status: 422,
      body: {
        message: 'Cannot upload assets to an immutable release.',
        documentation_url: 'https://docs.github.com/rest/releases/assets#upload-a-release-asset',
        status: '422',
      },
    });

    await expect(releaseAssets(optionsFor(server, dist))).rejects.toThrow(
      /published and immutable.*draft.*\(GitHub: upload lambda-shell-runtime-arm64-1\.2\.3\.zip failed \(HTTP 422\): Cannot upload assets to an immutable release/s,
    );
  });

  test('bad credentials: HTTP 401 named, token not in the message', async () => {
    const options = optionsFor(server, dist, { token: 'ghp_wrongwrongwrongwrong' });
    const error = await rejectionOf(releaseAssets(options));
    expect(error.message).toMatch(
      /GET the release of tag v1\.2\.3 failed \(HTTP 401\): Bad credentials/,
    );
    expect(error.message).not.toContain('ghp_wrongwrongwrongwrong');
  });
});

describe('the token', () => {
  const scenarios: Array<[string, (server: GitHubServer) => void]> = [
    ['a clean run', () => undefined],
    [
      'a failure whose body echoes the token',
      (s) =>
        s.failNext({
          method: 'POST',
          path: /\/releases$/,
          times: 10,
          status: 500,
          body: { message: `proxy error for Authorization: token ${s.token}` },
        }),
    ],
    [
      'retries and rate limits',
      (s) => {
        s.failNext({ method: 'POST', path: /\/assets$/, times: 1, status: 502 });
        s.secondaryRateLimitNext('PATCH', /./, 1, 1);
      },
    ],
  ];

  test.each(scenarios)(
    'never appears in a log line or error (%s), on a runner and off it',
    async (_, arrange) => {
      for (const onRunner of [false, true]) {
        const run = await GitHubServer.start();
        try {
          if (onRunner) process.env.GITHUB_ACTIONS = 'true';
          else delete process.env.GITHUB_ACTIONS;
          process.env.LSR_DEBUG = '1';
          arrange(run);
          const error = await releaseAssets(optionsFor(run, dist)).then(
            () => undefined,
            (caught: unknown) => caught as Error,
          );
          if (error) {
            expect(error.message).not.toContain(run.token);
            expect(String(error.stack)).not.toContain(run.token);
          }
          const leaking = output.lines().filter((line) => line.includes(run.token));
          // The one place the token may appear: the runner's mask command, which the runner hides.
          expect(leaking.every((line) => line === `::add-mask::${run.token}`)).toBe(true);
          if (onRunner) expect(leaking.length).toBeGreaterThan(0);
          expect(run.requests.length).toBeGreaterThan(0);
          expect(run.requests.every((r) => r.headers.authorization === `token ${run.token}`)).toBe(
            true,
          );
        } finally {
          delete process.env.LSR_DEBUG;
          await run.close();
        }
      }
    },
  );
});
