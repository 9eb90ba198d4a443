import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { checkAnswers, componentValidator, schemaViolations } from '../helpers/github-openapi.js';
import { GitHubServer, type RecordedRequest } from '../helpers/github-server.js';
import { releaseAssets } from '../../src/release/index.js';
import { closeBench, openBench, optionsFor, type Captured, type Dist } from './fixtures.js';

// The GitHub stand-in held to GitHub's contract: every JSON body it answers, on the happy path and
// on errors, is checked against @octokit/openapi's schema for that operation and status.

let server: GitHubServer;
let dist: Dist;
let output: Captured;

beforeEach(async () => {
  ({ server, dist, output } = await openBench());
});

afterEach(async () => {
  await closeBench({ server, dist, output });
});

/** Checks every recorded answer with a JSON body; returns the operations checked. */
function checkAll(requests: RecordedRequest[]): string[] {
  const checked = checkAnswers(requests);
  expect(checked.filter((check) => check.errors.length > 0)).toEqual([]);
  return checked.map((check) => check.operation);
}

const repoUrl = (s: GitHubServer): string => `${s.apiUrl}/repos/${s.owner}/${s.repo}`;

describe("the GitHub stand-in against GitHub's OpenAPI description", () => {
  test('release, asset, list and latest bodies of a first run and a re-run', async () => {
    await releaseAssets(optionsFor(server, dist));
    await releaseAssets(optionsFor(server, dist));
    const auth = { authorization: `token ${server.token}` };
    await fetch(`${repoUrl(server)}/releases/latest`, { headers: auth });

    const operations = checkAll(server.requests);
    expect(new Set(operations)).toEqual(
      new Set([
        'GET /repos/{owner}/{repo}/releases/tags/{tag} 404',
        'GET /repos/{owner}/{repo}/releases 200',
        'POST /repos/{owner}/{repo}/releases 201',
        'GET /repos/{owner}/{repo}/releases/{release_id}/assets 200',
        'POST /repos/{owner}/{repo}/releases/{release_id}/assets 201',
        'GET /repos/{owner}/{repo}/releases/latest 404',
        'PATCH /repos/{owner}/{repo}/releases/{release_id} 200',
        'GET /repos/{owner}/{repo}/releases/tags/{tag} 200',
        'GET /repos/{owner}/{repo}/releases/latest 200',
      ]),
    );
  });

  test('answers errors with the bodies GitHub documents (401, 403 "Resource not accessible by integration", 404, 422)', async () => {
    const release = server.seedRelease({ tag: 'v1.0.0', assets: [{ name: 'a', content: 'a' }] });
    const auth = { authorization: `token ${server.token}` };
    await fetch(`${repoUrl(server)}/releases`, { headers: { authorization: 'token wrong' } });
    await fetch(`${repoUrl(server)}/releases/tags/v9.9.9`, { headers: auth });
    await fetch(`${repoUrl(server)}/releases`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ tag_name: 'v1.0.0' }),
    });
    await fetch(
      `${server.uploadsUrl}/repos/${server.owner}/${server.repo}/releases/${release.id}/assets?name=a`,
      { method: 'POST', headers: auth, body: 'a' },
    );
    const readOnly = await GitHubServer.start({ contents: 'read' });
    try {
      await fetch(`${repoUrl(readOnly)}/releases`, {
        method: 'POST',
        headers: { authorization: `token ${readOnly.token}` },
        body: JSON.stringify({ tag_name: 'v1.0.0' }),
      });
      const operations = checkAll([...server.requests, ...readOnly.requests]);
      expect(operations).toEqual([
        'GET /repos/{owner}/{repo}/releases 401',
        'GET /repos/{owner}/{repo}/releases/tags/{tag} 404',
        'POST /repos/{owner}/{repo}/releases 422',
        'POST /repos/{owner}/{repo}/releases/{release_id}/assets 422',
        'POST /repos/{owner}/{repo}/releases 403',
      ]);
      expect(readOnly.requests[0].response).toMatchObject({
        message: 'Resource not accessible by integration',
      });
    } finally {
      await readOnly.close();
    }
  });

  test('the check can fail: a release whose author lacks simple-user fields is refused', async () => {
    await releaseAssets(optionsFor(server, dist, { draft: true }));
    const created = server.requests.find((r) => r.method === 'POST' && r.status === 201)!;
    const body = created.response as { author: Record<string, unknown> };
    const validate = componentValidator('release');
    expect(validate(body)).toBe(true);
    const author = { ...body.author };
    delete author.events_url;
    expect(validate({ ...body, author })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: '/author',
      params: { missingProperty: 'events_url' },
    });
    // nullable: null is allowed where the description says so, and only there.
    expect(validate({ ...body, published_at: null })).toBe(true);
    expect(validate({ ...body, tag_name: null })).toBe(false);
    // Formats as GitHub writes them, and only the statuses an operation can answer.
    const create = ['/repos/{owner}/{repo}/releases', 'POST'] as const;
    expect(schemaViolations(...create, 201, body)).toEqual([]);
    expect(
      schemaViolations(...create, 201, { ...body, created_at: '2026-01-01 00:00:00Z' }),
    ).toEqual([expect.stringContaining('/created_at must match format "date-time"')]);
    expect(schemaViolations(...create, 409, { message: 'Conflict' })).toEqual([
      'status 409 is not documented',
    ]);
    expect(schemaViolations(...create, 401, { message: 'Bad credentials' })).toEqual([]);
    expect(schemaViolations(...create, 401, { message: 401 })).not.toEqual([]);
  });
});
