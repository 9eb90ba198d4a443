import { createOnAws } from '../src/aws/create-once.js';
import { createOnce, UnknownOutcomeError } from '../src/create-once.js';

const awsError = (name: string, status?: number): Error =>
  Object.assign(new Error('boom'), { name, $metadata: { httpStatusCode: status } });

const noWait = { sleep: async () => undefined };

describe('createOnce: a creating write is never blindly retried', () => {
  it('keeps what a failed attempt created instead of writing again', async () => {
    let writes = 0;
    const created = await createOnAws({
      what: 'a thing',
      write: async () => {
        writes++;
        throw awsError('ServiceException', 500);
      },
      find: async () => 'the thing',
      ...noWait,
    });
    expect([created, writes]).toEqual(['the thing', 1]);
  });

  it('writes again only after looking, and only when the failure is retryable', async () => {
    const calls: string[] = [];
    const created = await createOnAws({
      what: 'a thing',
      write: async () => {
        calls.push('write');
        if (calls.length === 1) throw awsError('TooManyRequestsException', 429);
        return 'new';
      },
      find: async () => {
        calls.push('find');
        return undefined;
      },
      ...noWait,
    });
    expect([created, calls]).toEqual(['new', ['write', 'find', 'write']]);

    const refused: string[] = [];
    await expect(
      createOnAws({
        what: 'a thing',
        write: async () => {
          refused.push('write');
          throw awsError('AccessDeniedException', 403);
        },
        find: async () => {
          refused.push('find');
          return undefined;
        },
        ...noWait,
      }),
    ).rejects.toThrow('boom');
    // A refusal created nothing: no look, no second attempt.
    expect(refused).toEqual(['write']);
  });

  it('looks after the last failed attempt too, then throws that failure', async () => {
    const calls: string[] = [];
    const error = await createOnce({
      what: 'a thing',
      write: async (attempt) => {
        calls.push(`write ${attempt}`);
        throw awsError('ServiceException', 500);
      },
      find: async () => {
        calls.push('find');
        return undefined;
      },
      mayHaveApplied: () => true,
      attempts: 2,
      delayMs: () => 0,
      ...noWait,
    }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('ServiceException');
    expect(calls).toEqual(['write 1', 'find', 'write 2', 'find']);
  });

  it('tries again without looking when the failure created nothing but may pass', async () => {
    const calls: string[] = [];
    const created = await createOnce({
      what: 'a thing',
      write: async (attempt) => {
        calls.push(`write ${attempt}`);
        if (attempt === 1) throw new Error('not ready yet');
        return 'made';
      },
      find: async () => {
        calls.push('find');
        return undefined;
      },
      mayHaveApplied: () => false,
      retryable: () => true,
      attempts: 3,
      delayMs: () => 0,
      ...noWait,
    });
    expect([created, calls]).toEqual(['made', ['write 1', 'write 2']]);
  });

  it('stops when it cannot tell whether the attempt created something', async () => {
    let writes = 0;
    const error = await createOnAws({
      what: 'a lsr-arm64 version in eu-west-1',
      write: async () => {
        writes++;
        throw new Error('socket hang up');
      },
      find: async () => {
        throw new Error('lookup refused');
      },
      ...noWait,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as Error).message).toBe(
      'socket hang up; then looking for a lsr-arm64 version in eu-west-1 that attempt may have created failed too (lookup refused): run again, it finds and keeps what exists',
    );
    expect(writes).toBe(1);
  });

  it('looks at once after a refusal saying it exists, and keeps what a parallel run made', async () => {
    const calls: string[] = [];
    const options = (found: string | undefined) => ({
      what: 'a pull request',
      write: async (attempt: number): Promise<string> => {
        calls.push(`write ${attempt}`);
        throw new Error('A pull request already exists');
      },
      find: async () => {
        calls.push('find');
        return found;
      },
      exists: (error: unknown) => /already exists/.test((error as Error).message),
      mayHaveApplied: () => false,
      retryable: () => true,
      attempts: 3,
      delayMs: () => 1000,
      sleep: async (ms: number) => {
        calls.push(`sleep ${ms}`);
      },
    });
    expect(await createOnce(options('#1'))).toBe('#1');
    expect(calls).toEqual(['write 1', 'find']);
    calls.length = 0;
    // Said to exist, yet not found: the refusal stands, and is not sent again.
    await expect(createOnce(options(undefined))).rejects.toThrow('A pull request already exists');
    expect(calls).toEqual(['write 1', 'find']);
  });
});
