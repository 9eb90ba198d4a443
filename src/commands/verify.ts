import { readFile } from 'node:fs/promises';
import { parseLayerVersionArn } from '../aws/layers-json.js';
import { InputError, messageOf } from '../errors.js';
import { resolveApiUrl, type ClientTuning } from '../github/client.js';
import { parseRepository, parseTag } from '../parsers.js';
import { log } from '../log.js';
import { compareLayer, downloadSha256Sums, getLayerCode } from '../verify/index.js';
import { stringOption, type Command, type OptionValues } from './command.js';

/** Exit codes of verify: what a CI job branches on. */
export const VERIFY_EXIT = { match: 0, mismatch: 1, error: 2 } as const;

interface Sums {
  text: () => Promise<string>;
  source: string;
}

/** Where SHA256SUMS comes from: a file, or a GitHub release (never both). */
function sumsSource(values: OptionValues, tuning?: ClientTuning): Sums {
  const file = stringOption(values, 'sha256sums');
  const release = stringOption(values, 'release');
  if (file && release)
    throw new InputError('--release', release, 'either --sha256sums or --release, not both');
  if (file)
    return {
      source: file,
      text: () =>
        readFile(file, 'utf8').catch(() => {
          throw new InputError('--sha256sums', file, 'a readable SHA256SUMS file');
        }),
    };
  if (!release)
    throw new InputError(
      '--sha256sums',
      '',
      'a SHA256SUMS file, or --release vX.Y.Z to download it from the GitHub release',
    );
  const tag = parseTag(release, '--release');
  const repository = parseRepository(stringOption(values, 'repository'), '--repository');
  // Optional: raises GitHub's rate limit and reads private repositories.
  const token = process.env.GITHUB_TOKEN?.trim() ?? '';
  log.setSecret(token);
  const apiUrl = resolveApiUrl(process.env.GITHUB_API_URL);
  return {
    source: `${repository.owner}/${repository.repo} ${tag}`,
    text: () => downloadSha256Sums({ repository, tag, apiUrl, token, tuning }),
  };
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check that a layer version ARN holds the bytes of a release (its SHA256SUMS)',
  usage: [
    '  --arn ARN                 the layer version ARN to check (needs lambda:GetLayerVersion)',
    "  --sha256sums FILE         the release's SHA256SUMS, from a file",
    '  --release vX.Y.Z          or: download SHA256SUMS from this GitHub release',
    '  --repository OWNER/NAME   the repository of --release (required with it)',
    '',
    'Prints the verdict. Exit 0: the layer holds the release zip for its architecture;',
    '1: it does not; 2: a usage error, or the layer or release could not be read.',
    'GITHUB_TOKEN (optional) and GITHUB_API_URL are read for --release.',
  ].join('\n'),
  options: {
    arn: { type: 'string' },
    sha256sums: { type: 'string' },
    release: { type: 'string' },
    repository: { type: 'string' },
  },
  async run(values, _positionals, pacing) {
    const raw = stringOption(values, 'arn');
    const arn = parseLayerVersionArn(raw);
    if (!arn)
      throw new InputError(
        '--arn',
        raw,
        'a layer version ARN such as arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:3',
      );
    const sums = sumsSource(values, pacing?.github);
    let verdict;
    try {
      const [code, text] = await Promise.all([getLayerCode(arn), sums.text()]);
      verdict = compareLayer(raw.trim(), code, text, sums.source);
    } catch (error) {
      if (error instanceof InputError) throw error;
      process.stderr.write(`lambda-shell-runtime verify: cannot verify: ${messageOf(error)}\n`);
      return VERIFY_EXIT.error;
    }
    process.stdout.write(`${verdict.message}\n`);
    return verdict.match ? VERIFY_EXIT.match : VERIFY_EXIT.mismatch;
  },
};
