import { PublishLayerVersionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { downloadSha256Sums } from '../../src/verify/index.js';
import { captureWrites } from '../helpers/capture.js';
import { GitHubServer } from '../helpers/github-server.js';
import { awsTestEnv, setEnv, startMoto, type MotoServer } from '../helpers/moto.js';

/*
 * verify as a function author runs it: GetLayerVersion against moto over HTTP, SHA256SUMS from a
 * file or from a release on the GitHub stand-in (the release by tag, then the asset through the
 * API's redirect to storage), and the exit code a CI job branches on.
 */
const VERSION = '1.2.3';
const zips = {
  arm64: Buffer.from('PK fake arm64 layer zip bytes'),
  amd64: Buffer.from('PK fake amd64 layer zip bytes'),
};
const hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const sums = `${hex(zips.arm64)}  lambda-shell-runtime-arm64-${VERSION}.zip\n${hex(zips.amd64)}  lambda-shell-runtime-amd64-${VERSION}.zip\n`;

let moto: MotoServer;
let github: GitHubServer;
let restore: () => void;
let dir: string;
const arns: Record<string, string> = {};

async function publish(name: string, bytes: Buffer, arch: 'arm64' | 'x86_64'): Promise<string> {
  const published = await new LambdaClient({ region: 'eu-west-1' }).send(
    new PublishLayerVersionCommand({
      LayerName: name,
      Content: { ZipFile: bytes },
      CompatibleArchitectures: [arch],
    }),
  );
  return published.LayerVersionArn!;
}

beforeAll(async () => {
  moto = await startMoto();
  github = await GitHubServer.start({ visibility: 'public' });
  github.seedRelease({ tag: `v${VERSION}`, assets: [{ name: 'SHA256SUMS', content: sums }] });
  github.seedRelease(
    { tag: `v${VERSION}`, assets: [{ name: 'SHA256SUMS', content: sums }] },
    PRIVATE.join('/'),
  );
  github.seedRelease({ tag: 'v0.9.0', assets: [{ name: 'notes.txt', content: 'no sums' }] });
  restore = setEnv({
    ...awsTestEnv(moto.endpoint),
    GITHUB_ACTIONS: undefined,
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.apiUrl,
  });
  arns.amd64 = await publish('lsr-verify-amd64', zips.amd64, 'x86_64');
  arns.arm64 = await publish('lsr-verify-arm64', zips.arm64, 'arm64');
  // The arm64 zip's bytes in a layer that says x86_64: not the release's amd64 layer.
  arns.swapped = await publish('lsr-verify-swapped', zips.arm64, 'x86_64');
  arns.other = await publish('lsr-verify-other', Buffer.from('PK something else'), 'arm64');
  dir = await mkdtemp(join(tmpdir(), 'verify-'));
  await writeFile(join(dir, 'SHA256SUMS'), sums);
});
afterAll(async () => {
  restore();
  await rm(dir, { recursive: true, force: true });
  await github.close();
  await moto.stop();
  expect(github.violations).toEqual([]);
});

const REPOSITORY = ['--repository', 'octo-org/lambda-shell-runtime'];
// A private repository (the stand-in's default visibility) with the same release.
const PRIVATE = ['octo-org', 'private-runtime'];
/** The requests since `before`, as "host METHOD path" with the signature of downloads cut. */
const requestsSince = (before: number): string[] =>
  github.requests
    .slice(before)
    .map(
      (request) =>
        `${request.host} ${request.method} ${request.path.replace(/\/[0-9a-f]{24}\?.*/, '/<signed>')}`,
    );
const RELEASE_READ = [
  `api GET /repos/octo-org/lambda-shell-runtime/releases/tags/v${VERSION}`,
  expect.stringMatching(/^api GET \/repos\/octo-org\/lambda-shell-runtime\/releases\/assets\/\d+$/),
  expect.stringMatching(/^storage GET \/downloads\/\d+\/<signed>$/),
];
/** The public release read anonymously, GitHub's back-off made fast. */
const publicSource = {
  repository: { owner: 'octo-org', repo: 'lambda-shell-runtime' },
  tag: `v${VERSION}`,
  get apiUrl() {
    return github.apiUrl;
  },
  token: '',
  tuning: { msPerSecond: 1 },
};
/** Runs with GITHUB_TOKEN unset, as a function author's job without one does. */
async function anonymously<T>(fn: () => Promise<T>): Promise<T> {
  const restoreToken = setEnv({ GITHUB_TOKEN: undefined });
  try {
    return await fn();
  } finally {
    restoreToken();
  }
}

async function verify(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stderr = '';
  const { result, text } = await captureWrites(process.stdout, async () => {
    const inner = await captureWrites(process.stderr, () =>
      runCli(['verify', ...args], { github: publicSource.tuning }),
    );
    stderr = inner.text;
    return inner.result!;
  });
  return { code: result!, stdout: text, stderr };
}

describe('lambda-shell-runtime verify', () => {
  it('exits 0 when the layer holds its architecture’s zip of SHA256SUMS (a file)', async () => {
    const run = await verify('--arn', arns.amd64, '--sha256sums', join(dir, 'SHA256SUMS'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(
      `match: ${arns.amd64} holds lambda-shell-runtime-amd64-${VERSION}.zip of ${join(dir, 'SHA256SUMS')} (sha256 ${hex(zips.amd64)})\n`,
    );
  });

  it('exits 0 with SHA256SUMS downloaded from the GitHub release, the token sent to the API only', async () => {
    const before = github.requests.length;
    const run = await verify('--arn', arns.arm64, '--release', `v${VERSION}`, ...REPOSITORY);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `holds lambda-shell-runtime-arm64-${VERSION}.zip of octo-org/lambda-shell-runtime v${VERSION}`,
    );
    expect(requestsSince(before)).toEqual(RELEASE_READ);
    const [tag, asset, download] = github.requests.slice(before);
    expect([tag, asset].map((request) => request.headers.authorization)).toEqual([
      `token ${github.token}`,
      `token ${github.token}`,
    ]);
    // The signed storage URL needs no token, and must not get one.
    expect(download.headers.authorization).toBeUndefined();
    expect(run.stderr).not.toContain(github.token);
  });

  it('reads a public repository without GITHUB_TOKEN: no Authorization header at all', async () => {
    const before = github.requests.length;
    const run = await anonymously(() =>
      verify('--arn', arns.arm64, '--release', `v${VERSION}`, ...REPOSITORY),
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(requestsSince(before)).toEqual(RELEASE_READ);
    const sent = github.requests.slice(before);
    expect(sent.map((request) => request.headers.authorization)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(sent.map((request) => request.status)).toEqual([200, 302, 200]);
  });

  it('exits 2 on a private repository without GITHUB_TOKEN (GitHub’s 404), and reads it with one', async () => {
    const args = [
      '--arn',
      arns.arm64,
      '--release',
      `v${VERSION}`,
      '--repository',
      PRIVATE.join('/'),
    ];
    const before = github.requests.length;
    const anonymous = await anonymously(() => verify(...args));
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toBe(
      `lambda-shell-runtime verify: cannot verify: no published release v${VERSION} in ${PRIVATE.join('/')} (GitHub answered 404; a private repository needs GITHUB_TOKEN)\n`,
    );
    // A 404 is GitHub's answer, not a fault: asked once.
    expect(github.requests.slice(before).map((request) => request.status)).toEqual([404]);
    expect((await verify(...args)).code).toBe(0);
  });

  it('asks GitHub again after a 502 (exit 0 through the CLI)', async () => {
    github.failNext({ method: 'GET', path: /\/releases\/tags\//, status: 502 });
    const run = await verify('--arn', arns.arm64, '--release', `v${VERSION}`, ...REPOSITORY);
    expect(run.code).toBe(0);
  });

  it('reads through a 502, a 429 and a dropped download, each asked again', async () => {
    github.failNext({ method: 'GET', path: /\/releases\/tags\//, status: 502 });
    github.failNext({ method: 'GET', path: /\/releases\/assets\//, status: 429 });
    github.failNext({ method: 'GET', path: /^\/downloads\//, drop: true });
    const before = github.requests.length;
    expect(await downloadSha256Sums(publicSource)).toBe(sums);
    expect(github.requests.slice(before).map((request) => [request.host, request.status])).toEqual([
      ['api', 502],
      ['api', 200],
      ['api', 429],
      ['api', 302],
      ['storage', 0],
      // The dropped download is asked again from the start: the API signs a fresh URL.
      ['api', 302],
      ['storage', 200],
    ]);
  });

  it('starts each read’s back-off afresh: earlier retries do not lengthen it', async () => {
    const failOnce = () => {
      github.failNext({ method: 'GET', path: /\/releases\/tags\//, status: 502 });
      github.failNext({ method: 'GET', path: /\/releases\/assets\//, status: 502 });
    };
    const read = () => downloadSha256Sums({ ...publicSource, tuning: { msPerSecond: 100 } });
    failOnce();
    await read();
    failOnce();
    const before = github.requests.length;
    expect(await read()).toBe(sums);
    const sent = github.requests.slice(before);
    expect(sent.map((request) => request.status)).toEqual([502, 200, 502, 302, 200]);
    // A first retry waits one back-off step (100 ms), not the 4 steps of a second retry.
    for (const wait of [sent[1].at - sent[0].at, sent[3].at - sent[2].at]) {
      expect(wait).toBeGreaterThanOrEqual(95);
      expect(wait).toBeLessThan(300);
    }
  });

  it('gives up on a GitHub that keeps failing, naming the read (exit 2 through the CLI)', async () => {
    github.failNext({ method: 'GET', path: /\/releases\/tags\//, status: 503, times: 4 });
    await expect(downloadSha256Sums(publicSource)).rejects.toThrow(
      `GET the release of tag v${VERSION} failed (HTTP 503)`,
    );
  });

  it.each([
    [
      'another zip',
      () => arns.other,
      /^MISMATCH: arn:\S+:lsr-verify-other:1 holds a zip with sha256 [0-9a-f]{64}; \S+ lists lambda-shell-runtime-arm64-1\.2\.3\.zip [0-9a-f]{64}\n$/,
    ],
    [
      'the other architecture’s zip',
      () => arns.swapped,
      /^MISMATCH: .* lists lambda-shell-runtime-amd64-1\.2\.3\.zip /,
    ],
  ])('exits 1 when the layer holds %s', async (_name, arn, message) => {
    const run = await verify('--arn', arn(), '--sha256sums', join(dir, 'SHA256SUMS'));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
  });

  it('exits 1 on a mismatch against the GitHub release too', async () => {
    const run = await verify('--arn', arns.other, '--release', `v${VERSION}`, ...REPOSITORY);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^MISMATCH: /);
  });

  it.each([
    [
      'a malformed ARN',
      ['--arn', 'arn:aws:lambda:eu-west-1:123:layer:x', '--sha256sums', 'S'],
      /Invalid input "--arn"/,
    ],
    [
      'no source of sums',
      ['--arn', 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1'],
      /Invalid input "--sha256sums": "" .*or --release vX\.Y\.Z/,
    ],
    [
      'both sources',
      [
        '--arn',
        'arn:aws:lambda:eu-west-1:123456789012:layer:x:1',
        '--sha256sums',
        'S',
        '--release',
        'v1.2.3',
      ],
      /either --sha256sums or --release, not both/,
    ],
    [
      '--release without --repository',
      ['--arn', 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1', '--release', 'v1.2.3'],
      /Invalid input "--repository"/,
    ],
    [
      'an unreadable sums file',
      () => ['--arn', arns.arm64, '--sha256sums', join(dir, 'missing')],
      /Invalid input "--sha256sums": ".*missing" .*a readable SHA256SUMS file/,
    ],
  ])('exits 2 on %s', async (_name, args, message) => {
    const run = await verify(...(typeof args === 'function' ? args() : args));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it.each([
    [
      'a layer version that does not exist',
      () => ['--arn', arns.arm64.replace(/:1$/, ':7'), '--sha256sums', join(dir, 'SHA256SUMS')],
      /cannot verify: .*/,
    ],
    [
      'a release that does not exist',
      () => [
        '--arn',
        arns.arm64,
        '--release',
        'v9.9.9',
        '--repository',
        'octo-org/lambda-shell-runtime',
      ],
      /cannot verify: no published release v9\.9\.9 in octo-org\/lambda-shell-runtime \(GitHub answered 404\)\n$/,
    ],
    [
      'a release without SHA256SUMS',
      () => [
        '--arn',
        arns.arm64,
        '--release',
        'v0.9.0',
        '--repository',
        'octo-org/lambda-shell-runtime',
      ],
      /has no SHA256SUMS asset/,
    ],
  ])('exits 2 on %s: it could not read what it compares', async (_name, args, message) => {
    const run = await verify(...args());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when AWS denies the read (403 AccessDeniedException)', async () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
      });
      response.end(
        '{"Message":"User: arn:aws:sts::123456789012:assumed-role/ci is not authorized to perform: lambda:GetLayerVersion"}',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const denied = setEnv({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    try {
      const run = await verify('--arn', arns.arm64, '--sha256sums', join(dir, 'SHA256SUMS'));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^lambda-shell-runtime verify: cannot verify: lambda:GetLayerVersion in eu-west-1: HTTP 403 AccessDeniedException( \(request id \S+\))?: User: \S+ is not authorized to perform: lambda:GetLayerVersion\n$/,
      );
    } finally {
      denied();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
