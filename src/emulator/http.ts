import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request body read up to a limit: bytes past the limit are drained, not kept. */
export interface ReadBody {
  body: Buffer;
  /** Bytes received in all, kept or not. */
  size: number;
  tooLarge: boolean;
}

/**
 * Reads a whole request body, keeping at most `limit` bytes. The rest is drained rather than
 * refused mid-upload, so the client (curl) always reads our answer instead of a reset.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size + chunk.length <= limit) chunks.push(chunk);
      size += chunk.length;
    });
    request.on('end', () => {
      resolve({
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        size,
        tooLarge: size > limit,
      });
    });
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new Error('the client went away before the body ended'));
    });
  });
}

/** The JSON error body the Runtime API answers with, as RAPID renders it. */
export const errorBody = (errorType: string, errorMessage: string): string =>
  JSON.stringify({ errorMessage, errorType });

export function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType = 'application/json',
): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** The first value of a request header (Node joins or arrays some repeated headers). */
export const headerValue = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
