import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** A plain HTTP client acting as a runtime against the emulator. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked with these request trailers. */
  trailers?: Record<string, string>;
  chunks?: (string | Buffer)[];
}

export function call(
  address: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host, port: Number(port), method, path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString(),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    if (options.trailers) req.addTrailers(options.trailers);
    req.end(options.body);
  });
}

export const api = '/2018-06-01/runtime';
export const next = (address: string): Promise<Reply> =>
  call(address, 'GET', `${api}/invocation/next`);
export const respond = (
  address: string,
  requestId: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> =>
  call(address, 'POST', `${api}/invocation/${requestId}/response`, { body, headers });
export const fail = (
  address: string,
  requestId: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Reply> =>
  call(address, 'POST', `${api}/invocation/${requestId}/error`, { body, headers });
export const requestIdOf = (reply: Reply): string =>
  String(reply.headers['lambda-runtime-aws-request-id']);
