import { messageOf } from '../errors.js';

/** `text` with every occurrence of `secret` replaced, for anything we print or throw. */
export const scrubSecret = (text: string, secret: string): string =>
  secret ? text.split(secret).join('***') : text;

interface RequestErrorLike {
  status?: unknown;
  response?: { data?: { errors?: Array<{ code?: unknown }> } };
}

/**
 * A failed GitHub call: names what we were doing, carries the HTTP status and the validation
 * codes (already_exists…) callers branch on, and never the token. The octokit error is not kept as
 * `cause`: its request and response would travel with it into whatever prints the error.
 */
export class GitHubError extends Error {
  readonly status?: number;
  readonly codes: string[];

  constructor(action: string, error: unknown, token: string) {
    const details = (error ?? {}) as RequestErrorLike;
    const status = typeof details.status === 'number' ? details.status : undefined;
    super(
      scrubSecret(
        `${action} failed${status ? ` (HTTP ${status})` : ''}: ${messageOf(error)}`,
        token,
      ),
    );
    this.name = 'GitHubError';
    this.status = status;
    this.codes = (details.response?.data?.errors ?? [])
      .map((entry) => entry.code)
      .filter((code): code is string => typeof code === 'string');
  }
}
