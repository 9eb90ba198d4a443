import { InputError } from '../errors.js';

/**
 * Parsers of the AWS-shaped inputs of the canary, ssm and verify steps (action inputs and CLI
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
