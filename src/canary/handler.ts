import yazl from 'yazl';

/**
 * The canary function's code, built in memory: a handler for this runtime that answers with the
 * event it got and what `aws --version` and `jq --version` print, so the publisher sees the layer
 * run in each region with its own tools. It needs nothing but the layer (not even jq) to answer.
 */
export const CANARY_HANDLER = 'canary.handler';

export const CANARY_SCRIPT = `# lambda-shell-runtime canary: the event back, and the versions of the layer's tools.
json_line() {
  # The first line of $1 as a JSON string, quotes, backslashes and control characters dropped.
  printf '"%s"' "$(printf '%s\\n' "$1" | head -n 1 | tr -d '"\\\\\\000-\\037')"
}

handler() {
  event=$(cat)
  aws_version=$(aws --version 2>&1) || aws_version=''
  jq_version=$(jq --version 2>&1) || jq_version=''
  printf '{"event":%s,"aws":%s,"awsPath":%s,"jq":%s,"jqPath":%s}' "$event" \\
    "$(json_line "$aws_version")" "$(json_line "$(command -v aws)")" \\
    "$(json_line "$jq_version")" "$(json_line "$(command -v jq)")"
}
`;

/** The handler zip: one file, a fixed timestamp, so every run sends the same bytes. */
export function canaryZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(CANARY_SCRIPT), 'canary.sh', {
    mtime: new Date(1980, 0, 1),
    mode: 0o100644,
  });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
