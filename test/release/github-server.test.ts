import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { GitHubServer } from '../helpers/github-server.js';

// The stand-in itself: the GitHub behaviours the release step relies on, checked with plain fetch.

let server: GitHubServer;
let auth: Record<string, string>;

beforeEach(async () => {
  server = await GitHubServer.start();
  auth = { authorization: `Bearer ${server.token}` };
});

afterEach(async () => {
  expect(server.violations).toEqual([]);
  await server.close();
});

const repoUrl = (): string => `${server.apiUrl}/repos/${server.owner}/${server.repo}`;

async function upload(uploadUrl: string, name: string, body: string): Promise<Response> {
  const url = new URL(uploadUrl.replace(/\{[^}]*\}$/, ''));
  url.searchParams.set('name', name);
  return fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body });
}

/** The statuses of three GET /releases in a row. */
async function listThrice(): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++)
    statuses.push((await fetch(`${repoUrl()}/releases`, { headers: auth })).status);
  return statuses;
}

const createDraft = (): Promise<Response> =>
  fetch(`${repoUrl()}/releases`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ tag_name: 'v1.0.0', draft: true }),
  });

describe('GitHubServer', () => {
  test('refuses a wrong token; without one, a private repository is not there and a public one is read-only', async () => {
    const status = async (response: Promise<Response>) => {
      const answer = await response;
      return [answer.status, ((await answer.json()) as { message?: string }).message ?? 'ok'];
    };
    expect(await status(fetch(`${repoUrl()}/releases`))).toEqual([404, 'Not Found']);
    expect(
      await status(fetch(`${repoUrl()}/releases`, { headers: { authorization: 'token nope' } })),
    ).toEqual([401, 'Bad credentials']);
    server.repository(`${server.owner}/${server.repo}`, { visibility: 'public' });
    expect(await status(fetch(`${repoUrl()}/releases`))).toEqual([200, 'ok']);
    expect(
      await status(
        fetch(`${repoUrl()}/releases`, {
          method: 'POST',
          body: JSON.stringify({ tag_name: 'v1' }),
        }),
      ),
    ).toEqual([401, 'Requires authentication']);
    expect(server.releases).toEqual([]);
    expect(server.violations).toEqual([]);
  });

  test('the tags endpoint hides drafts; the list shows them, newest first', async () => {
    server.seedRelease({ tag: 'v1.0.0' });
    server.seedRelease({ tag: 'v2.0.0', draft: true });

    expect((await fetch(`${repoUrl()}/releases/tags/v2.0.0`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${repoUrl()}/releases/tags/v1.0.0`, { headers: auth })).status).toBe(200);
    const list = (await (await fetch(`${repoUrl()}/releases`, { headers: auth })).json()) as Array<{
      tag_name: string;
      draft: boolean;
    }>;
    expect(list.map((release) => [release.tag_name, release.draft])).toEqual([
      ['v2.0.0', true],
      ['v1.0.0', false],
    ]);
  });

  test('create: 201 with the real fields; drafts may share a tag, published tags may not', async () => {
    const create = (draft: boolean) =>
      fetch(`${repoUrl()}/releases`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ tag_name: 'v1.0.0', draft }),
      });
    const first = await create(true);
    expect(first.status).toBe(201);
    const body = (await first.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining([
        'id',
        'node_id',
        'url',
        'html_url',
        'upload_url',
        'assets_url',
        'tag_name',
        'name',
        'draft',
        'prerelease',
        'immutable',
        'assets',
        'author',
        'created_at',
        'published_at',
      ]),
    );
    expect(body.upload_url).toMatch(
      /\/uploads\/repos\/octo-org\/lambda-shell-runtime\/releases\/\d+\/assets\{\?name,label\}$/,
    );
    expect(body.html_url).toMatch(/\/releases\/tag\/untagged-[0-9a-f]{20}$/);
    expect((await create(true)).status).toBe(201);
    expect((await create(false)).status).toBe(201);
    const again = await create(false);
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({
      errors: [{ code: 'already_exists', field: 'tag_name' }],
    });
  });

  test('uploads: 201 with a sha256 digest, 422 already_exists, renamed special characters', async () => {
    const release = server.seedRelease({ tag: 'v1.0.0' });
    const uploadUrl = `${server.uploadsUrl}/repos/${server.owner}/${server.repo}/releases/${release.id}/assets{?name,label}`;

    const created = await upload(uploadUrl, 'a.txt', 'hello');
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'a.txt',
      size: 5,
      state: 'uploaded',
      content_type: 'text/plain',
      digest: 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
    const duplicate = await upload(uploadUrl, 'a.txt', 'other');
    expect(duplicate.status).toBe(422);
    expect(await duplicate.json()).toMatchObject({ errors: [{ code: 'already_exists' }] });
    expect(await (await upload(uploadUrl, 'b c(1).txt', 'x')).json()).toMatchObject({
      name: 'b.c.1..txt',
    });
    // The API host does not take uploads under the API path.
    expect((await upload(`${repoUrl()}/releases/${release.id}/assets`, 'd.txt', 'x')).status).toBe(
      404,
    );
  });

  test('asset lists paginate with GitHub-style Link headers', async () => {
    const release = server.seedRelease({
      tag: 'v1.0.0',
      assets: Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, content: `${i}` })),
    });
    const first = await fetch(`${repoUrl()}/releases/${release.id}/assets?per_page=2`, {
      headers: auth,
    });
    expect(((await first.json()) as unknown[]).length).toBe(2);
    const link = first.headers.get('link') ?? '';
    expect(link).toMatch(
      /<[^>]*\/repositories\/\d+\/releases\/\d+\/assets\?per_page=2&page=2>; rel="next"/,
    );
    expect(link).toMatch(/page=3>; rel="last"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? '';
    const second = await fetch(next, { headers: auth });
    expect(((await second.json()) as Array<{ name: string }>).map((asset) => asset.name)).toEqual([
      'f2',
      'f3',
    ]);
  });

  test('immutable releases refuse asset changes and un-publishing', async () => {
    const release = server.seedRelease({
      tag: 'v1.0.0',
      immutable: true,
      assets: [{ name: 'a', content: 'a' }],
    });
    const uploadUrl = `${server.uploadsUrl}/repos/${server.owner}/${server.repo}/releases/${release.id}/assets`;
    const refused = await upload(uploadUrl, 'b', 'b');
    expect([refused.status, ((await refused.json()) as { message: string }).message]).toEqual([
      422,
      'Cannot upload assets to an immutable release.',
    ]);
    const del = await fetch(`${repoUrl()}/releases/assets/${release.assets[0].id}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(del.status).toBe(422);
    const patch = await fetch(`${repoUrl()}/releases/${release.id}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ draft: true }),
    });
    expect(patch.status).toBe(422);
  });

  test('publishing in a repository with immutable releases makes the release immutable', async () => {
    const immutable = await GitHubServer.start({ immutableReleases: true });
    try {
      const draft = immutable.seedRelease({ tag: 'v1.0.0', draft: true });
      const response = await fetch(
        `${immutable.apiUrl}/repos/${immutable.owner}/${immutable.repo}/releases/${draft.id}`,
        {
          method: 'PATCH',
          headers: { authorization: `token ${immutable.token}` },
          body: JSON.stringify({ draft: false }),
        },
      );
      expect(await response.json()).toMatchObject({ draft: false, immutable: true });
    } finally {
      await immutable.close();
    }
  });

  test('faults answer the next matching requests, then the real endpoint again', async () => {
    server.failNext({ method: 'GET', path: /\/releases$/, times: 2, status: 502 });
    expect(await listThrice()).toEqual([502, 502, 200]);
    expect(server.requests.map((r) => [r.method, r.status, r.headers.authorization])).toEqual([
      ['GET', 502, auth.authorization],
      ['GET', 502, auth.authorization],
      ['GET', 200, auth.authorization],
    ]);
  });

  test('a fault on the nth matching request only: the earlier ones are answered for real', async () => {
    server.failNext({ method: 'GET', path: /\/releases$/, nth: 2, status: 503 });
    expect(await listThrice()).toEqual([200, 503, 200]);
  });

  test('apply: the write is done, then the answer is a 500', async () => {
    server.failNext({ method: 'POST', path: /\/releases$/, apply: true });
    expect((await createDraft()).status).toBe(500);
    expect(server.releases).toMatchObject([{ tagName: 'v1.0.0', draft: true }]);
  });

  test('drop: the write is done, then the connection is destroyed without an answer', async () => {
    server.failNext({ method: 'POST', path: /\/releases$/, apply: true, drop: true });
    const error = await createDraft().then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toBe('fetch failed');
    expect(server.releases).toHaveLength(1);
    expect(server.requests.map((r) => r.status)).toEqual([0]);
  });

  test('without apply, a fault does nothing but answer', async () => {
    server.failNext({ method: 'POST', path: /\/releases$/, drop: true });
    await createDraft().catch(() => undefined);
    expect(server.releases).toEqual([]);
  });

  test('a token with contents: read may read, and every write gets 403 "Resource not accessible by integration"', async () => {
    const readOnly = await GitHubServer.start({ contents: 'read' });
    try {
      const headers = { authorization: `token ${readOnly.token}` };
      const base = `${readOnly.apiUrl}/repos/${readOnly.owner}/${readOnly.repo}`;
      expect((await fetch(`${base}/releases`, { headers })).status).toBe(200);
      const refused = await fetch(`${base}/releases`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ tag_name: 'v1.0.0' }),
      });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
        status: '403',
      });
      expect(readOnly.releases).toEqual([]);
    } finally {
      await readOnly.close();
    }
  });

  test('/releases/latest: the release published as latest, never a draft, a prerelease or a make_latest=false one', async () => {
    const latest = async () => {
      const response = await fetch(`${repoUrl()}/releases/latest`, { headers: auth });
      return response.status === 200
        ? ((await response.json()) as { tag_name: string }).tag_name
        : response.status;
    };
    expect(await latest()).toBe(404);
    server.seedRelease({ tag: 'v1.0.0', draft: true });
    server.seedRelease({ tag: 'v2.0.0-rc.1', prerelease: true });
    expect(await latest()).toBe(404);
    server.seedRelease({ tag: 'v1.2.0' });
    expect(await latest()).toBe('v1.2.0');
    const backport = server.seedRelease({ tag: 'v1.1.5', draft: true });
    await fetch(`${repoUrl()}/releases/${backport.id}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ draft: false, make_latest: 'false' }),
    });
    expect(await latest()).toBe('v1.2.0');
    const next = server.releases.find((release) => release.tagName === 'v1.0.0')!;
    await fetch(`${repoUrl()}/releases/${next.id}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ draft: false }),
    });
    expect(await latest()).toBe('v1.0.0');
  });

  test('GHES: the API under /api/v3, uploads under /api/uploads on another host', async () => {
    const ghes = await GitHubServer.start({ ghes: true });
    try {
      expect(ghes.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      expect(new URL(ghes.uploadsUrl).host).not.toBe(new URL(ghes.apiUrl).host);
      const headers = { authorization: `token ${ghes.token}` };
      expect(
        (await fetch(`${ghes.apiUrl}/repos/${ghes.owner}/${ghes.repo}/releases`, { headers }))
          .status,
      ).toBe(200);
      expect(
        (await fetch(`${ghes.serverUrl}/repos/${ghes.owner}/${ghes.repo}/releases`, { headers }))
          .status,
      ).toBe(404);
    } finally {
      await ghes.close();
    }
  });
});
