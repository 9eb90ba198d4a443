import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// GitHub's REST description (@octokit/openapi), to hold a stand-in's answers to GitHub's own
// schemas: each JSON body is checked against the operation's response schema for its status.

interface Operation {
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: unknown;
    responses: Record<string, NonNullable<Operation['responses']>[string]>;
  };
}

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let loaded: { spec: Spec; ajv: Ajv } | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function load() {
  if (!loaded) {
    const spec = JSON.parse(
      readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8'),
    ) as Spec;
    // nullable, discriminator, example and x-github are OpenAPI's: not strict JSON Schema.
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    ajv.addSchema({ $id: 'github', components: { schemas: spec.components.schemas } });
    loaded = { spec, ajv };
  }
  return loaded;
}

function validatorFor(template: string, method: string, status: number): ValidateFunction | null {
  const key = `${method} ${template} ${status}`;
  if (!compiled.has(key)) {
    const { spec, ajv } = load();
    const operation = spec.paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`GitHub's description has no operation ${method} ${template}`);
    let response = operation.responses?.[String(status)];
    if (response?.$ref) response = spec.components.responses[response.$ref.split('/').pop()!];
    const schema = response?.content?.['application/json']?.schema;
    compiled.set(
      key,
      schema
        ? ajv.compile(
            JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"github#/components/')),
          )
        : null,
    );
  }
  return compiled.get(key)!;
}

/** What is wrong with `body` as GitHub's answer to `method template` with `status` ([] when nothing). */
export function schemaViolations(
  template: string,
  method: string,
  status: number,
  body: unknown,
): string[] {
  const validate = validatorFor(template, method, status);
  if (!validate) {
    const documented = load().spec.paths[template]?.[method.toLowerCase()]?.responses ?? {};
    return String(status) in documented ? [] : [`status ${status} is not documented`];
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
  );
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

function sample(schema: Schema, depth: number): unknown {
  const { spec } = load();
  if (schema.$ref)
    return sample(
      (spec.components.schemas as Record<string, Schema>)[schema.$ref.split('/').pop()!],
      depth,
    );
  if (schema.nullable && depth > 0) return null;
  if (schema.enum) return schema.enum[0];
  const choice = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (choice) return sample(choice, depth);
  if (schema.allOf)
    return Object.assign({}, ...schema.allOf.map((part) => sample(part, depth) as object));
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'uri') return 'https://example.invalid/';
      if (schema.format === 'email') return 'octocat@example.invalid';
      return 'x';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const object: Record<string, unknown> = {};
      for (const name of schema.required ?? [])
        object[name] = sample(schema.properties?.[name] ?? {}, depth + 1);
      return object;
    }
  }
}

/**
 * The smallest body GitHub's description allows for a component schema (nullable fields null,
 * the rest placeholders), for a stand-in to overlay with the fields a test is about.
 */
export const sampleOf = (component: string): Record<string, unknown> =>
  sample({ $ref: `#/components/schemas/${component}` }, 0) as Record<string, unknown>;
