import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  AWS_CLI_REPOSITORY,
  BUMP_BRANCH,
  PIN_FILES,
  bumpAwsCli,
  latestAwsCli,
  newestV2,
  pinnedVersion,
} from '../../src/aws-cli/index.js';
import { bumpFiles, holdsVersion } from '../../src/aws-cli/pins.js';
import { runCli } from '../../src/cli.js';
import { connect } from '../../src/github/client.js';
import { captureWrites } from '../helpers/capture.js';
import { GitHubServer } from '../helpers/github-server.js';
import { parse } from 'yaml';

const TARGET = 'octo-org/lambda-shell-runtime';
const AWS_CLI = `${AWS_CLI_REPOSITORY.owner}/${AWS_CLI_REPOSITORY.repo}`;
const PINNED = /^ARG AWS_CLI_VERSION=(\S+)$/m.exec(readFileSync('docker/Dockerfile', 'utf8'))![1];
const NEXT = '2.99.1';

/** Every tracked file of this repository, as its text. */
const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((path) => path && existsSync(path))
  .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const pinFiles = () => PIN_FILES.map((path) => tracked.find((file) => file.path === path)!);
/** The pin files for the stand-in: the 4.6 MB bundle cut to the lines that hold the pin. */
const seedFiles = (
  (cut) => () =>
    cut
)(
  pinFiles().map((file) =>
    file.path === 'dist/index.js'
      ? {
          ...file,
          text: file.text
            .split('\n')
            .filter((line) => line.includes(PINNED))
            .join('\n'),
        }
      : file,
  ),
);

/** aws/aws-cli's tags as GitHub lists them: v1 and v2 lines mixed, over several pages. */
function awsCliTags(newest: string): string[] {
  const tags = [newest, '3.0.0-dev0', 'v2.999.0', '2.100.0rc1'];
  for (let minor = 0; minor < 120; minor++) tags.push(`1.${minor}.0`, `2.${minor % 36}.${minor}`);
  return tags.concat(PINNED, '1.44.1');
}

let server: GitHubServer;
const client = () =>
  connect(server.token, { owner: 'octo-org', repo: 'lambda-shell-runtime' }, server.apiUrl, {
    msPerSecond: 1,
    paceWrites: false,
  });
const source = () =>
  connect(server.token, AWS_CLI_REPOSITORY, server.apiUrl, { msPerSecond: 1, paceWrites: false });
const seed = (files = seedFiles()) =>
  server.seedRepository(TARGET, Object.fromEntries(files.map((file) => [file.path, file.text])));
const bump = (latest = NEXT) => bumpAwsCli({ client: client(), latest, files: PIN_FILES });
const onBranch = (path: string) => server.fileAt(TARGET, BUMP_BRANCH, path);

beforeEach(async () => {
  server = await GitHubServer.start();
});
afterEach(async () => {
  expect(server.violations).toEqual([]);
  await server.close();
});

describe('the newest AWS CLI v2 release', () => {
  it('is the highest 2.x.y tag by semver, ignoring v1, v3, prefixed and pre-release tags', () => {
    expect(newestV2(['2.9.9', '2.10.0', '1.99.0', '3.0.0', 'v2.50.0', '2.11.0-rc.1', 'x'])).toBe(
      '2.10.0',
    );
    expect(newestV2(['1.2.3', 'nightly'])).toBeUndefined();
  });

  it('is read from every page of the AWS CLI repository tags', async () => {
    server.seedTags(AWS_CLI, awsCliTags('2.41.7'));
    expect(await latestAwsCli(source())).toBe('2.41.7');
    const pages = server.requests.filter((request) => request.path.includes('/tags'));
    expect(pages.length).toBe(Math.ceil(awsCliTags('2.41.7').length / 100));
    expect(pages[0].path).toBe(`/repos/${AWS_CLI}/tags?per_page=100`);
  });

  it('is an error naming the repository when it has no v2 tag', async () => {
    server.seedTags(AWS_CLI, ['1.0.0']);
    await expect(latestAwsCli(source())).rejects.toThrow(/no AWS CLI v2 release .* aws\/aws-cli/);
  });
});

describe('the pin files', () => {
  it('are every tracked file that holds the pinned version, and the Dockerfile names it', () => {
    const holding = tracked.filter((file) => holdsVersion(file.text, PINNED)).map((f) => f.path);
    expect(holding.sort()).toEqual([...PIN_FILES].sort());
    expect(pinnedVersion(pinFiles())).toEqual({ version: PINNED, path: 'docker/Dockerfile' });
  });

  it('after the bump, no file holds the old pin and each holds the new one', () => {
    for (const file of bumpFiles(pinFiles(), PINNED, NEXT)) {
      expect([file.path, holdsVersion(file.text, PINNED)]).toEqual([file.path, false]);
      expect([file.path, holdsVersion(file.text, NEXT)]).toEqual([file.path, true]);
    }
  });

  it('replace the version as a whole word only', () => {
    const [file] = bumpFiles(
      [{ path: 'a', text: 'v 2.30.1, 12.30.1, 2.30.10, 2.30.1.1 and 2.30.1.' }],
      '2.30.1',
      '2.31.0',
    );
    expect(file.text).toBe('v 2.31.0, 12.30.1, 2.30.10, 2.30.1.1 and 2.31.0.');
  });
});

describe('the bump pull request against the GitHub stand-in', () => {
  it('is not opened when the pin is the newest release: nothing is written', async () => {
    seed();
    const result = await bump(PINNED);
    expect(result).toMatchObject({ action: 'up-to-date', pinned: PINNED, base: 'main' });
    expect(server.writes()).toEqual([]);
    expect(server.pulls(TARGET)).toEqual([]);
  });

  it('is opened once, on one commit over main that moves every pin file to the new version', async () => {
    const main = seed();
    const result = await bump();
    expect(result.action).toBe('created');
    expect(server.pulls(TARGET)).toEqual([
      expect.objectContaining({
        number: 1,
        branch: BUMP_BRANCH,
        base: 'main',
        state: 'open',
        title: `Bump the bundled AWS CLI to ${NEXT}`,
      }),
    ]);
    expect(result.pullRequest?.url).toMatch(/\/pull\/1$/);
    const head = server.branch(TARGET, BUMP_BRANCH)!;
    expect(server.parents(TARGET, head)).toEqual([main]);
    for (const path of PIN_FILES) {
      expect([path, holdsVersion(onBranch(path)!, PINNED)]).toEqual([path, false]);
      expect([path, holdsVersion(onBranch(path)!, NEXT)]).toEqual([path, true]);
    }
    expect(onBranch('docker/Dockerfile')).toContain(`ARG AWS_CLI_VERSION=${NEXT}\n`);
    expect(server.pulls(TARGET)[0].body).toContain('PGP signature');
    expect(server.writes().filter((write) => !write.includes('/git/blobs'))).toEqual([
      `POST /repos/${TARGET}/git/trees`,
      `POST /repos/${TARGET}/git/commits`,
      `POST /repos/${TARGET}/git/refs`,
      `POST /repos/${TARGET}/pulls`,
    ]);
  });

  it('is left as it is on a second run: no new commit, no second pull request', async () => {
    seed();
    await bump();
    const head = server.branch(TARGET, BUMP_BRANCH);
    const before = server.writes().length;
    const again = await bump();
    expect(again.action).toBe('unchanged');
    expect(server.branch(TARGET, BUMP_BRANCH)).toBe(head);
    // Only the content-addressed blobs and tree are sent again; no ref, commit or pull request.
    expect(
      server
        .writes()
        .slice(before)
        .filter((write) => !/\/git\/(blobs|trees)$/.test(write)),
    ).toEqual([]);
    expect(server.pulls(TARGET)).toHaveLength(1);
  });

  it('is updated, not duplicated, when a newer release comes out while it is open', async () => {
    seed();
    await bump('2.50.0');
    const result = await bump(NEXT);
    expect(result.action).toBe('updated');
    expect(server.pulls(TARGET)).toEqual([
      expect.objectContaining({ number: 1, title: `Bump the bundled AWS CLI to ${NEXT}` }),
    ]);
    expect(server.pulls(TARGET)[0].body).toContain(`${PINNED}`);
    expect(onBranch('action.yml')).toContain(`default: '${NEXT}'`);
    expect(server.writes()).toContain(`PATCH /repos/${TARGET}/git/refs/heads/${BUMP_BRANCH}`);
    expect(server.writes()).toContain(`PATCH /repos/${TARGET}/pulls/1`);
  });

  it('is rebuilt on main when main moved on, keeping the one pull request', async () => {
    seed();
    await bump();
    const moved = server.commit(TARGET, 'main', { 'NEWS.md': 'news\n' }, 'Unrelated change');
    const result = await bump();
    expect(result.action).toBe('updated');
    const head = server.branch(TARGET, BUMP_BRANCH)!;
    expect(server.parents(TARGET, head)).toEqual([moved]);
    expect(onBranch('NEWS.md')).toBe('news\n');
    expect(server.pulls(TARGET)).toHaveLength(1);
  });

  it('is closed once the base holds the version another way, and nothing else is written', async () => {
    seed();
    await bump();
    const bumped = Object.fromEntries(
      seedFiles().map((file) => [file.path, file.text.replaceAll(PINNED, NEXT)]),
    );
    server.commit(TARGET, 'main', bumped, 'Bump by hand');
    const before = server.writes().length;
    const result = await bump();
    expect([result.action, result.pinned, result.pullRequest?.number]).toEqual(['closed', NEXT, 1]);
    expect(server.pulls(TARGET).map((pull) => pull.state)).toEqual(['closed']);
    expect(server.writes().slice(before)).toEqual([`PATCH /repos/${TARGET}/pulls/1`]);
    expect((await bump()).action).toBe('up-to-date');
  });

  /** The creating writes (ref and pull request) and the looks between them, in order. */
  const REF = `/git/ref/heads/${BUMP_BRANCH}`;
  const creates = () =>
    server.requests
      .map((request) => ({
        ...request,
        path: decodeURIComponent(request.path.split('?')[0]).replace(`/repos/${TARGET}`, ''),
      }))
      .filter((request) => ['/pulls', '/git/refs', REF].includes(request.path))
      .map((request) => `${request.method} ${request.status} ${request.path}`);
  /** No pull request yet, no branch yet, and the branch's create answered 500. */
  const FIRST_REF_500 = ['GET 200 /pulls', `GET 404 ${REF}`, 'POST 500 /git/refs'];

  it('is found, not made twice, when GitHub made the branch and the pull request but answered 500', async () => {
    seed();
    server.failNext({ method: 'POST', path: /\/git\/refs$/, status: 500, apply: true });
    server.failNext({ method: 'POST', path: /\/pulls$/, status: 500, apply: true });
    const result = await bump();
    expect([result.action, result.pullRequest?.number]).toEqual(['created', 1]);
    expect(server.pulls(TARGET)).toHaveLength(1);
    const head = server.branch(TARGET, BUMP_BRANCH)!;
    expect(server.commitMessage(TARGET, head)).toBe(`Bump the bundled AWS CLI to ${NEXT}`);
    // Each create sent once; after its 500, a look finds what it made.
    expect(creates()).toEqual([
      ...FIRST_REF_500,
      `GET 200 ${REF}`,
      'POST 500 /pulls',
      'GET 200 /pulls',
    ]);
  });

  it('is sent again after a 500 that made nothing, once the look finds nothing: one branch, one pull request', async () => {
    seed();
    server.failNext({ method: 'POST', path: /\/git\/refs$/, status: 500 });
    server.failNext({ method: 'POST', path: /\/pulls$/, status: 502 });
    const result = await bump();
    expect([result.action, result.pullRequest?.number]).toEqual(['created', 1]);
    expect(server.pulls(TARGET)).toHaveLength(1);
    expect(creates()).toEqual([
      ...FIRST_REF_500,
      `GET 404 ${REF}`,
      'POST 201 /git/refs',
      'POST 502 /pulls',
      'GET 200 /pulls',
      'POST 201 /pulls',
    ]);
  });

  it('keeps the pull request a parallel run opened first (GitHub’s 422 "already exists"), sent once', async () => {
    seed();
    server.failNext({
      method: 'POST',
      path: /\/pulls$/,
      pass: true,
      effect: () =>
        server.pulls(TARGET).push({
          number: 1,
          branch: BUMP_BRANCH,
          base: 'main',
          title: `Bump the bundled AWS CLI to ${NEXT}`,
          body: 'opened by a parallel run',
          state: 'open',
        }),
    });
    const result = await bump();
    expect([result.action, result.pullRequest?.number]).toEqual(['created', 1]);
    expect(result.pullRequest?.body).toBe('opened by a parallel run');
    expect(server.pulls(TARGET)).toHaveLength(1);
    expect(creates().slice(-2)).toEqual(['POST 422 /pulls', 'GET 200 /pulls']);
  });

  it('keeps the branch a parallel bump made first (422 "Reference already exists"), never another author’s', async () => {
    seed();
    const raced = (message: string) =>
      server.failNext({
        method: 'POST',
        path: /\/git\/refs$/,
        pass: true,
        effect: () => server.commit(TARGET, BUMP_BRANCH, { 'x.txt': 'x' }, message),
      });
    raced(`Bump the bundled AWS CLI to ${NEXT}`);
    const result = await bump();
    expect(result.action).toBe('created');
    const theirs = server.branch(TARGET, BUMP_BRANCH);
    expect(server.fileAt(TARGET, BUMP_BRANCH, 'x.txt')).toBe('x');
    expect(server.pulls(TARGET)).toHaveLength(1);
    expect(creates().filter((line) => line.includes('POST') && line.includes('/git/refs'))).toEqual(
      ['POST 422 /git/refs'],
    );
    expect(theirs).toBeDefined();

    server.pulls(TARGET).length = 0;
    server.repository(TARGET).refs.delete(`refs/heads/${BUMP_BRANCH}`);
    raced('Fix the tests');
    await expect(bump()).rejects.toThrow(/did not make .*Fix the tests.*not overwriting it/);
    expect(server.pulls(TARGET)).toEqual([]);
  });

  it('leaves a bump branch alone when someone else committed on it', async () => {
    seed();
    await bump('2.50.0');
    const theirs = server.commit(TARGET, BUMP_BRANCH, { 'fix.txt': 'x' }, 'Fix the tests');
    await expect(bump()).rejects.toThrow(/did not make .*Fix the tests.*not overwriting it/);
    expect(server.branch(TARGET, BUMP_BRANCH)).toBe(theirs);
  });

  it('refuses, before writing, when a pin file does not hold the pinned version', async () => {
    seed(
      seedFiles().map((file) =>
        file.path === 'README.md' ? { ...file, text: file.text.replaceAll(PINNED, '2.0.1') } : file,
      ),
    );
    await expect(bump()).rejects.toThrow(/README\.md does not hold the pinned AWS CLI version/);
    expect(server.writes()).toEqual([]);
  });

  it('writes nothing in a dry run', async () => {
    seed();
    expect(
      (await bumpAwsCli({ client: client(), latest: NEXT, files: PIN_FILES, dryRun: true })).action,
    ).toBe('planned');
    expect(server.writes()).toEqual([]);
  });
});

describe('lambda-shell-runtime aws-cli-latest', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const cli = async (...argv: string[]) => {
    let code = -1;
    const stderr = await captureWrites(process.stderr, async () => {
      const stdout = await captureWrites(process.stdout, async () => {
        code = await runCli(['aws-cli-latest', ...argv]);
      });
      return stdout.text;
    });
    return { code, stdout: stderr.result ?? '', stderr: stderr.text };
  };
  const useServer = () => {
    process.env.GITHUB_API_URL = server.apiUrl;
    process.env.GITHUB_TOKEN = server.token;
    delete process.env.GITHUB_ACTIONS;
  };

  it('prints the newest release and whether it is newer than the pin of this package', async () => {
    useServer();
    server.seedTags(AWS_CLI, awsCliTags(NEXT));
    const result = await cli();
    expect([result.code, result.stdout]).toEqual([
      0,
      `latest=${NEXT}\npinned=${PINNED}\nnewer=true\n`,
    ]);
    server.seedTags(AWS_CLI, []);
  });

  it('with --open-pr, reads the pin from the repository and says when it is current', async () => {
    useServer();
    server.seedTags(AWS_CLI, awsCliTags(PINNED));
    seed();
    const result = await cli('--open-pr', '--repository', TARGET);
    expect([result.code, result.stdout]).toEqual([
      0,
      `latest=${PINNED}\npinned=${PINNED}\nnewer=false\npull-request=\naction=up-to-date\n`,
    ]);
    expect(result.stderr).toContain('docker/Dockerfile on main');
    expect(result.stderr).not.toContain(server.token);
    expect(server.writes()).toEqual([]);
  });

  it('exits 2 naming the input, before any request, on a bad repository or no token', async () => {
    useServer();
    const bad = await cli('--open-pr', '--repository', 'not a repo');
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringContaining('Invalid input "--repository"'),
    ]);
    delete process.env.GITHUB_TOKEN;
    const noToken = await cli('--open-pr', '--repository', TARGET);
    expect([noToken.code, noToken.stderr]).toEqual([
      2,
      expect.stringContaining('Invalid input "GITHUB_TOKEN"'),
    ]);
    const file = await cli('--file', '../etc/passwd');
    expect([file.code, file.stderr]).toEqual([
      2,
      expect.stringContaining('Invalid input "--file"'),
    ]);
    expect(server.requests).toEqual([]);
  });
});

describe('the workflows that follow the AWS CLI', () => {
  interface Workflow {
    on: { schedule?: Array<{ cron: string }> };
    permissions: Record<string, string>;
    jobs: Record<
      string,
      {
        permissions: Record<string, string>;
        steps: Array<{ run?: string; env?: Record<string, string> }>;
      }
    >;
  }
  const workflows = ['.github/workflows/aws-cli.yml', 'examples/workflows/follow-aws-cli.yml'].map(
    (path): [string, Workflow] => [path, parse(readFileSync(path, 'utf8')) as Workflow],
  );
  const bumpStep = (workflow: Workflow) =>
    Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .find((step) => step.run?.includes('aws-cli-latest'))!;

  it.each(workflows)(
    '%s runs nightly with contents and pull-requests: write only',
    (_path, workflow) => {
      expect(workflow.on.schedule).toHaveLength(1);
      expect(workflow.permissions).toEqual({});
      expect(Object.values(workflow.jobs).map((job) => job.permissions)).toEqual([
        { contents: 'write', 'pull-requests': 'write' },
      ]);
      const step = bumpStep(workflow);
      expect(step.run).toMatch(/aws-cli-latest --open-pr\s+--repository "\$GITHUB_REPOSITORY"/);
      expect(step.env?.GITHUB_TOKEN).toMatch(/secrets\.GITHUB_TOKEN/);
    },
  );

  it("the example's pin file is bumped as it documents (AWS_CLI_VERSION=X.Y.Z outside .github/workflows)", async () => {
    const files = [...bumpStep(workflows[1][1]).run!.matchAll(/--file (\S+)/g)].map((m) => m[1]);
    expect(files).toEqual(['aws-cli.env']);
    server.seedRepository(TARGET, {
      'aws-cli.env': `AWS_CLI_VERSION=${PINNED}\n`,
      'README.md': 'x\n',
    });
    const result = await bumpAwsCli({ client: client(), latest: NEXT, files });
    expect([result.action, result.pinned, result.pinnedIn]).toEqual([
      'created',
      PINNED,
      'aws-cli.env',
    ]);
    expect(onBranch('aws-cli.env')).toBe(`AWS_CLI_VERSION=${NEXT}\n`);
  });
});
