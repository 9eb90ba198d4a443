import { randomBytes, randomUUID } from 'node:crypto';

/** The ids Lambda makes up for an invocation, in the shapes it uses. */

export const newRequestId = (): string => randomUUID();

/** An X-Ray trace header as Lambda passes it: Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;Sampled=0. */
export function newTraceId(now = Date.now()): string {
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

/** A log stream name in Lambda's form: 2026/11/23/[$LATEST]<32 hex>. */
export function newLogStreamName(version: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}
