import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

/**
 * An HTTP proxy between the AWS SDK and a stand-in (moto) that records every request and injects
 * faults on the wire, per matched request (method + path, or X-Amz-Target, nth occurrence):
 * - `applied-500`: the request reaches the stand-in (the write is applied), the SDK gets a 500;
 * - `applied-drop`: the request is applied, then the connection is destroyed without an answer;
 * - `throttle`: the SDK gets a 429 (S3: 503 SlowDown) and the stand-in never sees the request.
 * Point the SDK at `endpoint` (AWS_ENDPOINT_URL) instead of the stand-in's.
 */
export type Fault = 'applied-500' | 'applied-drop' | 'throttle';

export interface FaultRule {
  method: string;
  /** Matched against the path without the query string. */
  path?: RegExp;
  /** Matched against the query string, with its "?" (e.g. /MaxItems=50/). */
  query?: RegExp;
  /** Matched against X-Amz-Target (JSON protocols). */
  target?: string;
  /** Matched against the SigV4 scope's region. */
  region?: string;
  /** Which matching request gets the fault, counting from 1 (default 1), or every one. */
  nth?: number | 'every';
  fault: Fault;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, URL-decoded. */
  path: string;
  query: URLSearchParams;
  /** From the SigV4 credential scope: lambda, s3, serverlessrepo… */
  service: string;
  region: string;
  target?: string;
  /** A JSON protocol's request body (X-Amz-Target set), parsed; undefined otherwise. */
  json?: Record<string, unknown>;
  /** What the SDK got: an HTTP status, or 'dropped'. */
  answered: number | 'dropped';
  fault?: Fault;
}

export interface FaultProxy {
  endpoint: string;
  readonly requests: RecordedRequest[];
  /** Adds a fault rule; occurrences are counted from the moment it is added. */
  inject(rule: FaultRule): void;
  /** The faults applied so far (a rule whose nth request never came applied none). */
  readonly applied: Fault[];
  /** Drops every rule and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const readBody = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

function forward(upstream: URL, incoming: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (response) => {
        readBody(response).then(
          (data) =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }),
          reject,
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Service and region from `Authorization: AWS4-HMAC-SHA256 Credential=key/date/region/service/…`. */
function scopeOf(headers: IncomingHttpHeaders): { service: string; region: string } {
  const match = /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(headers.authorization ?? '');
  return { region: match?.[1] ?? '', service: match?.[2] ?? '' };
}

/** An error answer shaped as the service's protocol: REST-JSON for Lambda, XML for S3. */
function errorAnswer(service: string, status: number, code: string): Upstream {
  const requestId = randomUUID();
  if (service === 's3') {
    return {
      status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
      body: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected fault</Message><RequestId>${requestId}</RequestId></Error>`,
      ),
    };
  }
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': code,
    },
    body: Buffer.from(JSON.stringify({ Type: 'Service', message: 'injected fault' })),
  };
}

const throttleAnswer = (service: string): Upstream =>
  service === 's3'
    ? errorAnswer('s3', 503, 'SlowDown')
    : errorAnswer(service, 429, 'TooManyRequestsException');

function send(response: ServerResponse, answer: Upstream): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  delete headers.connection;
  headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

export async function startFaultProxy(upstreamEndpoint: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const requests: RecordedRequest[] = [];
  const applied: Fault[] = [];
  let rules: { rule: FaultRule; seen: number }[] = [];

  const match = (
    method: string,
    path: string,
    query: string,
    target: string | undefined,
    region: string,
  ): Fault | undefined => {
    let fault: Fault | undefined;
    for (const entry of rules) {
      const { rule } = entry;
      if (rule.method !== method) continue;
      if (rule.path && !rule.path.test(path)) continue;
      if (rule.query && !rule.query.test(query)) continue;
      if (rule.target && rule.target !== target) continue;
      if (rule.region && rule.region !== region) continue;
      entry.seen++;
      if (rule.nth === 'every' || entry.seen === (rule.nth ?? 1)) fault ??= rule.fault;
    }
    return fault;
  };

  const server = createServer((incoming, response) => {
    void (async () => {
      const url = new URL(incoming.url ?? '/', 'http://proxy');
      const method = incoming.method ?? 'GET';
      const path = decodeURIComponent(url.pathname);
      const target = incoming.headers['x-amz-target'] as string | undefined;
      const { service, region } = scopeOf(incoming.headers);
      const body = await readBody(incoming);
      const fault = match(method, path, url.search, target, region);
      const record = (answered: number | 'dropped'): void => {
        requests.push({
          method,
          path,
          query: url.searchParams,
          service,
          region,
          target,
          json: target
            ? (JSON.parse(body.toString() || '{}') as Record<string, unknown>)
            : undefined,
          answered,
          fault,
        });
      };
      if (fault) applied.push(fault);
      if (fault === 'throttle') {
        const answer = throttleAnswer(service);
        record(answer.status);
        return send(response, answer);
      }
      const answer = await forward(upstream, incoming, body);
      if (fault === 'applied-drop') {
        record('dropped');
        incoming.socket.destroy();
        return;
      }
      const given =
        fault === 'applied-500'
          ? errorAnswer(service, 500, service === 's3' ? 'InternalError' : 'ServiceException')
          : answer;
      record(given.status);
      send(response, given);
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`fault proxy: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    applied,
    inject(rule) {
      rules.push({ rule, seen: 0 });
    },
    reset() {
      rules = [];
      requests.length = 0;
      applied.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
