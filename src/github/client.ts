import { GitHub, getOctokitOptions } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import type { Repository } from '../domain.js';
import { log } from '../log.js';
import { createOnce } from '../create-once.js';
import { GitHubError, scrubSecret, type HintContext } from './secret.js';

/** Knobs for GitHub's pacing; the defaults are GitHub's, tests shrink them. */
export interface ClientTuning {
  /** Milliseconds per second of Retry-After and retry back-off (1000). */
  msPerSecond?: number;
  /** Space writes a second apart, as GitHub asks of integrators (true). */
  paceWrites?: boolean;
  /** How long create-release may go unanswered before it counts as lost (60 000 ms). */
  createTimeoutMs?: number;
}

/** Retries of one request, on 5xx (plugin-retry) and on rate limits (plugin-throttling). */
export const MAX_RETRIES = 3;
/** A rate limit asking for a longer wait fails instead: a job should not sleep for an hour. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 120;

export type { Repository } from '../domain.js';

/** Octokit bound to one repository, with the token it must never print ('' when anonymous). */
export interface RepoClient extends Repository {
  octokit: ReturnType<typeof createOctokit>;
  token: string;
  /** Milliseconds per second of back-off between attempts of a write (tuning.msPerSecond). */
  msPerSecond: number;
  createTimeoutMs: number;
}

export type Release = Awaited<
  ReturnType<RepoClient['octokit']['rest']['repos']['getReleaseByTag']>
>['data'];
export type ReleaseAsset = Release['assets'][number];

/** The API URL (GHES: https://host/api/v3), else api.github.com, without a trailing slash. */
export const resolveApiUrl = (apiUrl?: string): string =>
  (apiUrl || 'https://api.github.com').replace(/\/+$/, '');

// Lets throttling schedule writes without its one-second spacing: the part of a Bottleneck.Group
// it uses, so tests need not wait a second per write.
const unpacedGroup = {
  key: () => ({
    schedule: <T>(_options: unknown, job: (...args: unknown[]) => T, ...args: unknown[]) =>
      job(...args),
  }),
} as unknown as NonNullable<ThrottlingOptions['write']>;

// @actions/github's octokit (the runner's proxy settings, REST methods, pagination) with
// GitHub's retry and rate-limit handling.
const GitHubClient = GitHub.plugin(retry, throttling);

function createOctokit(token: string, baseUrl: string, tuning: ClientTuning) {
  const msPerSecond = tuning.msPerSecond ?? 1000;
  const scrub = (message: string): string => scrubSecret(message, token);
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method: string; url: string },
      _octokit: unknown,
      count: number,
    ) => {
      const retrying = count < MAX_RETRIES && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
      log.warning(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}: ` +
          (retrying
            ? `retrying in ${retryAfter} s (retry ${count + 1} of ${MAX_RETRIES})`
            : `giving up (asked to wait ${retryAfter} s)`),
      );
      return retrying;
    };
  const options = {
    baseUrl,
    log: {
      debug: (message: string) => log.debug(scrub(message)),
      info: (message: string) => log.debug(scrub(message)),
      warn: (message: string) => log.warning(scrub(message)),
      error: (message: string) => log.error(scrub(message)),
    },
    retry: { retries: MAX_RETRIES, retryAfterBaseValue: msPerSecond },
    throttle: {
      retryAfterBaseValue: msPerSecond,
      onSecondaryRateLimit: onLimit('secondary'),
      onRateLimit: onLimit('primary'),
      ...(tuning.paceWrites === false ? { write: unpacedGroup, notifications: unpacedGroup } : {}),
    },
  };
  // Without a token no Authorization header at all: GitHub answers anonymous reads of public
  // repositories (at a lower rate limit).
  const octokit = new GitHubClient(token ? getOctokitOptions(token, options) : options);
  // Calls that pass no `request` options share the client's one object, and plugin-retry counts
  // a call's retries on it: a copy per call keeps one call's retries from lengthening the
  // back-off of every later call.
  octokit.hook.before('request', (request) => {
    request.request = { ...request.request };
  });
  return octokit;
}

/**
 * The client for a repository; masks the token first. An empty token gives an anonymous client,
 * for reads of a public repository.
 */
export function connect(
  token: string,
  repository: Repository,
  apiUrl?: string,
  tuning: ClientTuning = {},
): RepoClient {
  log.setSecret(token);
  return {
    octokit: createOctokit(token, resolveApiUrl(apiUrl), tuning),
    token,
    msPerSecond: tuning.msPerSecond ?? 1000,
    createTimeoutMs: tuning.createTimeoutMs ?? 60_000,
    ...repository,
  };
}

/**
 * Runs one GitHub call; a failure leaves as a GitHubError naming `action`, token scrubbed, with
 * a hint when GitHub says the token may not do it.
 */
export async function call<T>(
  client: RepoClient,
  action: string,
  fn: () => Promise<T>,
  context: HintContext = {},
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new GitHubError(action, error, client.token, context);
  }
}

/**
 * Request options for a write that creates something (a release, an asset): plugin-retry must not
 * send it again blindly, since a 5xx or a dropped connection may come after GitHub applied it.
 * Rate limits stay with plugin-throttling: GitHub refuses those requests before doing anything.
 */
export const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

/** An answer that leaves open whether GitHub did the write: a 5xx, or none at all (octokit's 500). */
export const outcomeUnknown = (error: unknown): boolean =>
  error instanceof GitHubError && (error.status === undefined || error.status >= 500);

/**
 * A write that creates something, at most 1 + MAX_RETRIES attempts, waiting between them as
 * plugin-retry would: after a lost answer, `find` looks for what the attempt may have created;
 * after a refusal that `exists` recognises (GitHub's 422 for a ref or a pull request already
 * there), `find` looks for what a parallel run made.
 */
export const createOnGitHub = <T>(
  client: RepoClient,
  what: string,
  write: () => Promise<T>,
  find: () => Promise<T | undefined>,
  exists?: (error: GitHubError) => boolean,
): Promise<T> =>
  createOnce({
    what,
    write,
    find,
    mayHaveApplied: outcomeUnknown,
    exists: exists && ((error) => error instanceof GitHubError && exists(error)),
    attempts: 1 + MAX_RETRIES,
    delayMs: (failure) => failure ** 2 * client.msPerSecond,
  });
