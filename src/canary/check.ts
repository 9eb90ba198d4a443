/**
 * What the canary function must answer: the event it was sent, and the first line of
 * `jq --version` and, for a releasable layer, of `aws --version`, found through the layer.
 */
export interface CanaryAnswer {
  /** The first word of `aws --version` (aws-cli/2.x.y), or undefined when it printed none. */
  awsVersion?: string;
  jqVersion: string;
}

export interface Expectations {
  /** The event sent; the answer must carry it back unchanged. */
  event: unknown;
  /** A docker-built layer carries AWS CLI v2; the local builder's has none. */
  awsCli: boolean;
}

const AWS_CLI_V2 = /^aws-cli\/2\.\d+\.\d+(\S*)?(\s|$)/;
const JQ = /^jq-\d+\.\d+/;

/** Throws an Error saying what is wrong with the answer, else returns the versions reported. */
export function checkCanaryAnswer(payload: string, expected: Expectations): CanaryAnswer {
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    throw new Error(`the function's answer is not JSON: ${payload.slice(0, 300)}`);
  }
  if (typeof answer !== 'object' || answer === null)
    throw new Error(`the function's answer is not a JSON object: ${payload.slice(0, 300)}`);
  if (JSON.stringify(answer.event) !== JSON.stringify(expected.event))
    throw new Error(
      `the function answered another event: ${JSON.stringify(answer.event)?.slice(0, 300)}`,
    );
  const jq = typeof answer.jq === 'string' ? answer.jq : '';
  if (!JQ.test(jq))
    throw new Error(
      `the layer reported no jq version ("jq --version" printed ${JSON.stringify(jq)}; jq at ${JSON.stringify(answer.jqPath ?? '')})`,
    );
  const aws = typeof answer.aws === 'string' ? answer.aws : '';
  if (expected.awsCli && !AWS_CLI_V2.test(aws))
    throw new Error(
      `the layer reported no AWS CLI v2 version ("aws --version" printed ${JSON.stringify(aws)}; aws at ${JSON.stringify(answer.awsPath ?? '')})`,
    );
  return {
    jqVersion: jq.split(/\s/)[0],
    awsVersion: AWS_CLI_V2.test(aws) ? aws.split(/\s/)[0] : undefined,
  };
}
