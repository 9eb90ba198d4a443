import { GetLayerVersionCommand } from '@aws-sdk/client-lambda';
import { lambdaClient } from '../aws/clients.js';
import type { LayerVersionArn } from '../aws/layers-json.js';
import type { Architecture } from '../domain.js';
import { parseSha256Sums, zipEntries, type SumEntry } from './sums.js';

export { downloadSha256Sums, type ReleaseSource } from './github.js';

/** What GetLayerVersion says of a layer version: its hash and architectures. */
export interface LayerCode {
  /** Base64 SHA-256 of the zip, as Lambda reports it. */
  codeSha256: string;
  architectures: string[];
}

/** One GetLayerVersion call: needs only lambda:GetLayerVersion, also on a layer shared with you. */
export async function getLayerCode(arn: LayerVersionArn): Promise<LayerCode> {
  const got = await lambdaClient(arn.region).send(
    new GetLayerVersionCommand({ LayerName: arn.layerArn, VersionNumber: arn.version }),
  );
  return {
    codeSha256: got.Content?.CodeSha256 ?? '',
    architectures: got.CompatibleArchitectures ?? [],
  };
}

export interface Verdict {
  match: boolean;
  /** Hex SHA-256 of the layer version's zip. */
  sha256: string;
  arch?: Architecture;
  /** The SHA256SUMS line it matched, when it did. */
  matched?: SumEntry;
  /** The lines it was compared with. */
  candidates: SumEntry[];
  message: string;
}

const archOf = (architectures: string[]): Architecture | undefined => {
  if (architectures.length !== 1) return undefined;
  return architectures[0] === 'x86_64'
    ? 'amd64'
    : architectures[0] === 'arm64'
      ? 'arm64'
      : undefined;
};

/**
 * Compares a layer version's CodeSha256 (base64) with SHA256SUMS (hex): a match when it equals
 * the line of a layer zip for the layer's architecture.
 */
export function compareLayer(arn: string, code: LayerCode, sums: string, source: string): Verdict {
  const sha256 = Buffer.from(code.codeSha256, 'base64').toString('hex');
  const arch = archOf(code.architectures);
  const candidates = zipEntries(parseSha256Sums(sums), arch);
  const matched =
    sha256.length === 64 ? candidates.find((entry) => entry.sha256 === sha256) : undefined;
  if (matched)
    return {
      match: true,
      sha256,
      arch,
      matched,
      candidates,
      message: `match: ${arn} holds ${matched.fileName} of ${source} (sha256 ${sha256})`,
    };
  const listed = candidates.length
    ? candidates.map((entry) => `${entry.fileName} ${entry.sha256}`).join(', ')
    : `no layer zip${arch ? ` for ${arch}` : ''}`;
  return {
    match: false,
    sha256,
    arch,
    candidates,
    message: `MISMATCH: ${arn} holds a zip with sha256 ${sha256 || '(none reported)'}; ${source} lists ${listed}`,
  };
}
