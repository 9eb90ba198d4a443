import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../paths.js';

/**
 * The SAR templates in template/ carry __placeholders__ (a form Prettier leaves alone in YAML); rendering fills them and stamps the
 * template's own SHA-256 into it (Metadata.LambdaShellRuntime.TemplateSha256), so a re-run can
 * tell "this version is already published" from "this version holds something else" even if SAR
 * hands the stored template back reformatted.
 */
export type TemplateFile = 'template-arm64.yaml' | 'template-amd64.yaml' | 'template.yaml';

const PLACEHOLDER = /__([a-zA-Z0-9]+)__/g;
const HASH_PLACEHOLDER = '__templateSha256__';

export const sha256Hex = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');

/** A YAML-safe scalar: JSON strings and arrays are valid YAML flow values. */
export const yamlValue = (value: string | string[]): string => JSON.stringify(value);

export async function renderTemplate(
  file: TemplateFile,
  values: Record<string, string>,
): Promise<string> {
  const source = await readFile(join(paths.templates, file), 'utf8');
  const missing = new Set<string>();
  const filled = source.replace(PLACEHOLDER, (placeholder, name: string) => {
    if (placeholder === HASH_PLACEHOLDER) return placeholder;
    if (!(name in values)) missing.add(name);
    return values[name] ?? placeholder;
  });
  if (missing.size > 0) throw new Error(`${file}: no value for ${[...missing].join(', ')}`);
  return filled.replaceAll(HASH_PLACEHOLDER, sha256Hex(filled));
}

/** The TemplateSha256 stamped in a template, in YAML or JSON form; undefined if absent. */
export const templateSha256 = (template: string): string | undefined =>
  /TemplateSha256["']?\s*:\s*["']?([0-9a-f]{64})/.exec(template)?.[1];

/** Same stamp, or (for a template without one) the same text. */
export function sameTemplate(stored: string, rendered: string): boolean {
  const storedSha = templateSha256(stored);
  if (storedSha) return storedSha === templateSha256(rendered);
  return stored.replace(/\r\n/g, '\n').trim() === rendered.replace(/\r\n/g, '\n').trim();
}
