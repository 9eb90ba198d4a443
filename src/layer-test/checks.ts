/** Checks shared by the local and Docker smoke tests; each throws naming the zip and what differed. */

export function checkVersionLine(
  zipName: string,
  tool: string,
  output: string,
  pattern: RegExp,
): string {
  const line = output.trim().split('\n')[0] ?? '';
  if (!pattern.test(line))
    throw new Error(
      `${zipName}: "${tool} --version" printed ${JSON.stringify(output.slice(0, 200))}, expected ${pattern}`,
    );
  return line;
}

export function checkEcho(zipName: string, expected: string, received: Buffer): string {
  if (!received.equals(Buffer.from(expected)))
    throw new Error(
      `${zipName}: the echo invocation answered ${JSON.stringify(received.toString().slice(0, 300))}, expected ${JSON.stringify(expected)}`,
    );
  return received.toString();
}

/** The error invocation must come back as Lambda's error document; resolves to its errorType. */
export function checkErrorDocument(zipName: string, body: Buffer): string {
  let document: { errorType?: unknown; errorMessage?: unknown } | null;
  try {
    document = JSON.parse(body.toString()) as typeof document;
  } catch {
    throw new Error(
      `${zipName}: the error invocation answered non-JSON ${JSON.stringify(body.toString().slice(0, 300))}`,
    );
  }
  if (typeof document?.errorType !== 'string' || typeof document.errorMessage !== 'string')
    throw new Error(
      `${zipName}: the error invocation answered ${body.toString().slice(0, 300)}, without errorType and errorMessage`,
    );
  return document.errorType;
}

export interface SmokeResult {
  arch: string;
  zip: string;
  jqVersion: string;
  /** Absent for local-builder zips, which have no AWS CLI. */
  awsVersion?: string;
  /** What the example function answered to the smoke event (checked byte for byte). */
  echoResponse: string;
  errorType: string;
}
