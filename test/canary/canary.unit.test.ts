import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCanaryAnswer } from '../../src/canary/check.js';
import { CANARY_SCRIPT, canaryZip } from '../../src/canary/handler.js';
import { canaryFunctionName, canaryRunId } from '../../src/canary/names.js';
import { CREATE_ATTEMPTS, runCanary } from '../../src/canary/run-canary.js';
import type { CanaryApi } from '../../src/canary/api.js';
import { run, runChecked } from '../../src/exec.js';
import { findShellcheck, runShellcheck } from '../../src/layer-test/shellcheck.js';
import { assertShell, shells } from '../helpers/shells.js';

const event = { canary: 'lambda-shell-runtime', nonce: 'abc' };
const answer = (fields: Record<string, unknown>): string =>
  JSON.stringify({ event, aws: '', awsPath: '', jq: 'jq-1.7.1', jqPath: '/opt/bin/jq', ...fields });

describe('the canary answer check', () => {
  it('takes the versions from an answer that carries the event back', () => {
    expect(
      checkCanaryAnswer(
        answer({ aws: 'aws-cli/2.31.2 Python/3.13.7 Linux/6.1.0 exe/aarch64.amzn.2023' }),
        { event, awsCli: true },
      ),
    ).toEqual({ awsVersion: 'aws-cli/2.31.2', jqVersion: 'jq-1.7.1' });
  });

  it('needs no AWS CLI from a local-builder layer, and reports one if present', () => {
    expect(checkCanaryAnswer(answer({}), { event, awsCli: false })).toEqual({
      awsVersion: undefined,
      jqVersion: 'jq-1.7.1',
    });
  });

  it.each([
    ['not JSON', 'hello', /is not JSON: hello/],
    ['another event', answer({ event: { other: 1 } }), /answered another event: \{"other":1\}/],
    ['no jq', answer({ jq: '', jqPath: '' }), /reported no jq version \("jq --version" printed ""/],
    [
      'AWS CLI v1',
      answer({ aws: 'aws-cli/1.45.11 Python/3.11.7' }),
      /no AWS CLI v2 version .*aws-cli\/1\.45\.11/,
    ],
    [
      'no AWS CLI',
      answer({ aws: 'sh: aws: not found' }),
      /no AWS CLI v2 version \("aws --version" printed "sh: aws: not found"/,
    ],
  ])('fails on %s', (_name, payload, message) => {
    expect(() => checkCanaryAnswer(payload, { event, awsCli: true })).toThrow(message);
  });
});

describe('canary function names', () => {
  it('are lsr-canary-<version>-<arch>-<run id> within Lambda’s 64 characters', () => {
    expect(canaryFunctionName('1.2.3', 'arm64', '123-1')).toBe('lsr-canary-1-2-3-arm64-123-1');
    expect(canaryFunctionName('1.2.3-rc.1+build.5', 'amd64', 'ab12')).toBe(
      'lsr-canary-1-2-3-rc-1-build-5-amd64-ab12',
    );
    const long = canaryFunctionName(`1.2.3-${'x'.repeat(80)}`, 'amd64', '9876543210-3');
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^lsr-canary-1-2-3-x+-amd64-9876543210-3$/);
  });

  it('carry the workflow run and attempt on a runner, random elsewhere', () => {
    expect(canaryRunId({ GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2' })).toBe('42-2');
    expect(canaryRunId({})).toMatch(/^[0-9a-f]{8}$/);
    expect(canaryRunId({})).not.toBe(canaryRunId({}));
  });
});

describe('the canary handler script', () => {
  it('passes shellcheck -s sh', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canary-sh-'));
    try {
      await writeFile(join(dir, 'canary.sh'), CANARY_SCRIPT);
      expect(await runShellcheck(await findShellcheck(), ['canary.sh'], dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(shells)(
    'answers valid JSON under %s, with a version or "" for each tool',
    async (shell) => {
      assertShell(shell);
      const dir = await mkdtemp(join(tmpdir(), 'canary-sh-'));
      try {
        await runChecked('unzip', ['-q', '-d', dir, await writeZip(dir)]);
        // An aws that prints quotes and a backslash: they must not break the JSON.
        await writeFile(
          join(dir, 'aws'),
          '#!/bin/sh\necho \'aws-cli/2.1.0 "odd\\\\"\'\necho second line\n',
          { mode: 0o755 },
        );
        const [program, ...args] = shell.split(' ');
        const result = await run(program, [...args, '-c', '. ./canary.sh && handler'], {
          cwd: dir,
          input: '{"k":"v"}',
          env: { PATH: `${dir}:/usr/bin:/bin` },
        });
        expect(result.exitCode).toBe(0);
        const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
        expect(parsed.event).toEqual({ k: 'v' });
        expect(parsed.aws).toBe('aws-cli/2.1.0 odd');
        expect(parsed.awsPath).toBe(join(dir, 'aws'));
        expect(parsed.jq).toMatch(/^jq-\d/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  async function writeZip(dir: string): Promise<string> {
    const path = join(dir, 'code.zip');
    await writeFile(path, await canaryZip());
    return path;
  }

  it('is zipped as one file, the same bytes every time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canary-zip-'));
    try {
      const listing = await runChecked('unzip', ['-Z1', await writeZip(dir)]);
      expect(listing.stdout.trim()).toBe('canary.sh');
      expect((await canaryZip()).equals(await canaryZip())).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A Lambda API stand-in for the paths moto cannot take: recorded calls, scripted answers. */
function scriptedApi(overrides: Partial<CanaryApi>): CanaryApi & { calls: string[] } {
  const calls: string[] = [];
  const api: CanaryApi & { calls: string[] } = {
    region: 'us-east-1',
    calls,
    createFunction: async () => void calls.push('create'),
    exists: async () => (calls.push('exists'), false),
    waitActive: async () => void calls.push('wait'),
    invoke: async () => (calls.push('invoke'), { statusCode: 200, payload: '{}', logTail: '' }),
    deleteFunction: async () => (calls.push('delete'), true),
    listFunctions: async () => [],
  };
  for (const [name, fn] of Object.entries(overrides))
    Object.assign(api, {
      [name]: async (...args: unknown[]) => (
        calls.push(name),
        (fn as (...a: unknown[]) => unknown)(...args)
      ),
    });
  return api;
}

const job = (api: CanaryApi) => ({
  api,
  layer: {
    region: 'us-east-1',
    arch: 'arm64' as const,
    arn: 'arn:aws:lambda:us-east-1:123456789012:layer:l:1',
  },
  version: '1.0.0',
  roleArn: 'arn:aws:iam::123456789012:role/r',
  runId: 't',
  code: Buffer.from('zip'),
  awsCli: false,
  dryRun: false,
  sleep: async () => {},
});

const awsError = (name: string, message: string, status: number): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('one canary’s life cycle', () => {
  it('deletes the function when it never becomes Active, and says why', async () => {
    const api = scriptedApi({
      waitActive: async () => {
        throw new Error('Waiter has timed out');
      },
    });
    const outcome = await runCanary(job(api));
    expect(outcome).toMatchObject({
      status: 'failed',
      deleted: true,
      detail: 'Waiter has timed out',
    });
    expect(api.calls).toEqual(['create', 'waitActive', 'delete']);
  });

  it('reports a function it could not delete as failed and left behind', async () => {
    const api = scriptedApi({
      invoke: async () => ({ statusCode: 200, payload: 'oops', logTail: '' }),
      deleteFunction: async () => {
        throw awsError('AccessDeniedException', 'not allowed: lambda:DeleteFunction', 403);
      },
    });
    const outcome = await runCanary(job(api));
    expect(outcome.status).toBe('failed');
    expect(outcome.deleted).toBe(false);
    expect(outcome.detail).toMatch(
      /is not JSON: oops; not deleted \(not allowed: lambda:DeleteFunction\): remove it with "lambda-shell-runtime canary --clean"/,
    );
  });

  it('does not retry a CreateFunction refused for a bad request, and still cleans up', async () => {
    const api = scriptedApi({
      createFunction: async () => {
        throw awsError('InvalidParameterValueException', 'Layers: not compatible with arm64', 400);
      },
    });
    const outcome = await runCanary(job(api));
    expect(outcome.detail).toBe('Layers: not compatible with arm64');
    expect(api.calls).toEqual(['createFunction', 'delete']);
  });

  it('waits for a new role to reach Lambda: tries again without looking, as nothing was made', async () => {
    let attempts = 0;
    const api = scriptedApi({
      createFunction: async () => {
        if (++attempts < 3)
          throw awsError(
            'InvalidParameterValueException',
            'The role defined for the function cannot be assumed by Lambda.',
            400,
          );
      },
      invoke: async () => ({
        statusCode: 200,
        payload: JSON.stringify({ event: {}, jq: 'jq-1.7' }),
        logTail: '',
      }),
    });
    const outcome = await runCanary(job(api));
    expect(api.calls.filter((call) => call === 'createFunction')).toHaveLength(3);
    expect(api.calls).not.toContain('exists');
    // The event has a random nonce: this answer echoes another one.
    expect(outcome.detail).toMatch(/answered another event/);
  });

  it('gives up after a bounded number of CreateFunction attempts, each after a look for the function', async () => {
    const api = scriptedApi({
      createFunction: async () => {
        throw awsError('ServiceException', 'internal error', 500);
      },
    });
    const outcome = await runCanary(job(api));
    expect(outcome.detail).toBe('internal error');
    const lookedFor = Array.from({ length: CREATE_ATTEMPTS }, () => ['createFunction', 'exists']);
    expect(api.calls).toEqual([...lookedFor.flat(), 'delete']);
  });

  it('treats a conflict on a later attempt as its own function, a conflict on the first as a clash', async () => {
    let attempts = 0;
    const ok = JSON.stringify({ event: {}, jq: 'jq-1.7' });
    const later = scriptedApi({
      createFunction: async () => {
        attempts++;
        throw attempts === 1
          ? awsError('TooManyRequestsException', 'Rate exceeded', 429)
          : awsError('ResourceConflictException', 'Function already exist', 409);
      },
      invoke: async () => ({ statusCode: 200, payload: ok, logTail: '' }),
    });
    await runCanary(job(later));
    expect(later.calls.slice(0, 4)).toEqual(['createFunction', 'exists', 'createFunction', 'wait']);
    const clash = scriptedApi({
      createFunction: async () => {
        throw awsError('ResourceConflictException', 'Function already exist', 409);
      },
    });
    expect((await runCanary(job(clash))).detail).toBe('Function already exist');
  });
});
