import { GetLayerVersionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { isAwsError } from './errors.js';

/** What GetLayerVersion tells of one version, for the steps that read versions they did not make. */
export interface LayerVersionRead {
  arn: string;
  description: string;
  /** Base64 SHA-256 of the zip. */
  codeSha256: string;
  /** A presigned URL of the zip, valid for 10 minutes (a bare location on some endpoints). */
  location: string;
}

/** One GetLayerVersion; undefined when the version does not exist (never published, or deleted). */
export async function readLayerVersion(
  lambda: LambdaClient,
  layerName: string,
  version: number,
): Promise<LayerVersionRead | undefined> {
  try {
    const got = await lambda.send(
      new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: version }),
    );
    return {
      arn: got.LayerVersionArn ?? '',
      description: got.Description ?? '',
      codeSha256: got.Content?.CodeSha256 ?? '',
      location: got.Content?.Location ?? '',
    };
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}
