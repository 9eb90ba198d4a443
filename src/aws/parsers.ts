import { InputError } from '../errors.js';

/**
 * Parsers of the AWS-shaped inputs of the canary, ssm, sar and verify steps (action inputs and CLI
 * flags): each returns a typed value or throws an InputError naming the input.
 */

// arn:<partition>:iam::<account>:role/<path/>name
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export function parseRoleArn(value: string, input = 'canary-role-arn'): string {
  const arn = value.trim();
  if (!ROLE_ARN.test(arn))
    throw new InputError(
      input,
      value,
      'an IAM role ARN such as arn:aws:iam::123456789012:role/lambda-shell-runtime-canary',
    );
  return arn;
}

// SSM's parameter name rules: letters, digits, _.-/, and no name under /aws or /ssm.
const SSM_PATH = /^(\/[a-zA-Z0-9_.-]+)+$/;
const RESERVED = /^\/(aws|ssm)(\/|$)/i;

/** An SSM path prefix such as /lambda-shell-runtime; '' turns the step off. */
export function parseSsmPrefix(value: string, input = 'ssm-prefix'): string {
  const prefix = value.trim();
  if (prefix === '') return '';
  // Room for /<arch>/<version> within SSM's 1011 characters and 15 levels.
  if (
    !SSM_PATH.test(prefix) ||
    RESERVED.test(prefix) ||
    prefix.length > 900 ||
    prefix.split('/').length > 14
  )
    throw new InputError(
      input,
      value,
      'an SSM path such as /lambda-shell-runtime: /-separated names of letters, digits, _ . -, not under /aws or /ssm, no trailing /',
    );
  return prefix;
}

// SAR's own rules (CreateApplication): Name [a-zA-Z0-9-]{1,140}, Author lowercase with single hyphens.
const APPLICATION_NAME = /^[a-zA-Z0-9-]{1,130}$/;
const AUTHOR = /^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/;
const HTTPS_URL = /^https:\/\/[^\s]+$/;

export const DEFAULT_APPLICATION_NAME = 'lambda-shell-runtime';
export const DEFAULT_AUTHOR = 'lambda-shell-runtime';
/** What a dry run names as the source when it runs off a runner. */
export const PLACEHOLDER_SOURCE_CODE_URL = 'https://github.com/OWNER/lambda-shell-runtime';

/** The SAR base name: applications NAME-arm64, NAME-amd64 and NAME. */
export function parseApplicationName(value: string, input = 'application-name'): string {
  const name = value.trim() || DEFAULT_APPLICATION_NAME;
  if (!APPLICATION_NAME.test(name))
    throw new InputError(input, name, 'letters, digits and - (1 to 130)');
  return name;
}

export function parseAuthor(value: string, input = 'author'): string {
  const author = value.trim() || DEFAULT_AUTHOR;
  if (!AUTHOR.test(author) || author.length > 127)
    throw new InputError(input, author, 'lowercase letters, digits and single hyphens');
  return author;
}

/** This repository on GitHub, from the runner's environment; '' elsewhere. */
export function repositoryUrl(env: NodeJS.ProcessEnv): string {
  if (!env.GITHUB_REPOSITORY) return '';
  return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}`;
}

/**
 * SAR requires a source code URL: the value, else this GitHub repository on a runner; a dry run
 * can do with a placeholder.
 */
export function parseSourceCodeUrl(
  value: string,
  env: NodeJS.ProcessEnv,
  dryRun: boolean,
  input = 'source-code-url',
): string {
  const url = value.trim() || repositoryUrl(env) || (dryRun ? PLACEHOLDER_SOURCE_CODE_URL : '');
  if (!HTTPS_URL.test(url))
    throw new InputError(
      input,
      url,
      'an https:// URL of the source code (defaults to this GitHub repository on a runner)',
    );
  return url;
}
