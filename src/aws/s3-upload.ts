import { readFile } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where the steps put files in S3: one prefix per release, so versions never overwrite each other. */
export const s3KeyFor = (version: string, fileName: string): string =>
  `lambda-shell-runtime/${version}/${fileName}`;

/**
 * Uploads a local file. The body is read into memory (a layer zip is at most a few hundred MB)
 * rather than streamed, because the SDK cannot retry a request whose stream was consumed.
 */
export async function uploadFile(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  contentType: string,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: await readFile(path),
      ContentType: contentType,
    }),
  );
}
