import { messageOf } from '../errors.js';

/** `text` with every occurrence of `secret` replaced, for anything we print or throw. */
export const scrubSecret = (text: string, secret: string): string =>
  secret ? text.split(secret).join('***') : text;

/** What the call was, for the hint on a permission error. */
export interface HintContext {
  /**
   * A call on the repository itself (list or create releases): there GitHub answers 404, not
   * 403, when the token cannot see the repository or may not write to it.
   */
  repositoryCall?: boolean;
}

const WORKFLOWS_HINT =
  'If the commit of the tag changes files under .github/workflows/, GitHub also requires a token ' +
  'allowed to write workflows (a GitHub App token with workflows: write, or a personal access ' +
  'token with the workflow scope); GITHUB_TOKEN never has that permission.';

/** Why GitHub refused, and what to change, for the answers a token short of rights gets. */
export function permissionHint(
  status: number | undefined,
  message: string,
  context: HintContext,
): string | undefined {
  if (status === 403 && /Resource not accessible by integration/i.test(message))
    return (
      'The token lacks a permission this step needs: it needs contents: write ' +
      '(in the workflow: permissions: contents: write). ' +
      WORKFLOWS_HINT
    );
  if (status === 404 && context.repositoryCall)
    return (
      'GitHub answers 404 when the token cannot see the repository or may not write releases ' +
      'to it: check the repository name and give the token contents: write ' +
      '(in the workflow: permissions: contents: write). ' +
      WORKFLOWS_HINT
    );
  return undefined;
}

interface RequestErrorLike {
  status?: unknown;
  message?: unknown;
  cause?: { name?: unknown; message?: unknown };
  response?: { data?: { errors?: Array<{ code?: unknown }> } };
}

// octokit says "Unknown Error" when fetch fails with something not an Error (a timeout's DOMException).
function transportMessage(details: RequestErrorLike): string | undefined {
  const cause = details.cause;
  if (details.message !== 'Unknown Error' || typeof cause?.message !== 'string') return undefined;
  return `${typeof cause.name === 'string' ? `${cause.name}: ` : ''}${cause.message}`;
}

/**
 * A failed GitHub call: names what we were doing, carries the HTTP status and the validation
 * codes (already_exists…) callers branch on, and never the token. The octokit error is not kept as
 * `cause`: its request and response would travel with it into whatever prints the error.
 */
export class GitHubError extends Error {
  readonly status?: number;
  readonly codes: string[];

  constructor(action: string, error: unknown, token: string, context: HintContext = {}) {
    const details = (error ?? {}) as RequestErrorLike;
    const status = typeof details.status === 'number' ? details.status : undefined;
    const message = transportMessage(details) ?? messageOf(error);
    const hint = permissionHint(status, message, context);
    super(
      scrubSecret(
        `${action} failed${status ? ` (HTTP ${status})` : ''}: ${message}${hint ? `. ${hint}` : ''}`,
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
