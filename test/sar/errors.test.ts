import { InternalServerErrorException } from '@aws-sdk/client-serverlessapplicationrepository';
import { isAwsError } from '../../src/publish/clients.js';
import { AwsCallError, describeAwsError, outcomeUnknown } from '../../src/sar/errors.js';

const serviceError = new InternalServerErrorException({
  message: 'We encountered an internal error.',
  $metadata: { httpStatusCode: 500, requestId: '6f2c-11aa' },
});
const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('describeAwsError', () => {
  it('names operation, region, HTTP status, error code and request id, then the message', () => {
    expect(describeAwsError('serverlessrepo:CreateApplication', 'eu-west-1', serviceError)).toBe(
      'serverlessrepo:CreateApplication in eu-west-1: HTTP 500 InternalServerErrorException (request id 6f2c-11aa): We encountered an internal error.',
    );
  });

  it('says when there was no HTTP answer at all', () => {
    expect(describeAwsError('s3:PutObject', 'us-east-1', dropped)).toBe(
      's3:PutObject in us-east-1: no HTTP answer Error: socket hang up',
    );
  });
});

describe('AwsCallError', () => {
  it('keeps the exception name and status, so callers still branch on them', () => {
    const error = new AwsCallError('serverlessrepo:GetApplication', 'eu-west-1', serviceError);
    expect(isAwsError(error, 'InternalServerErrorException')).toBe(true);
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(error.cause).toBe(serviceError);
  });
});

describe('outcomeUnknown', () => {
  it.each<[string, unknown, boolean]>([
    ['a 5xx', serviceError, true],
    ['no answer', dropped, true],
    ['a throttle (429)', { $metadata: { httpStatusCode: 429 } }, true],
    ['a refusal (400)', { $metadata: { httpStatusCode: 400 } }, false],
    ['a conflict (409)', { $metadata: { httpStatusCode: 409 } }, false],
  ])('%s: %s', (_name, error, unknown) => {
    expect(outcomeUnknown(error)).toBe(unknown);
  });
});
