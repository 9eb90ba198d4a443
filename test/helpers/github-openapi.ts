import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RecordedRequest } from './github-server.js';

/**
 * GitHub's REST description (@octokit/openapi, OpenAPI 3.0: `nullable`, `$ref`s into
 * components) as JSON-schema validators, to hold the GitHub stand-in to GitHub's contract, and
 * as the smallest bodies it allows, for the stand-in to fill in.
 */

interface Response {
  $ref?: string;
  content?: Record<string, { schema?: object }>;
}
interface Operation {
  responses?: Record<string, Response>;
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, Response>; schemas: Record<string, Schema> };
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

/** What checking one answer found: the operation it answered, and the schema's complaints. */
export interface ContractCheck {
  /** "POST /repos/{owner}/{repo}/releases 201" */
  operation: string;
  /** What is wrong with the body; empty when it is valid. */
  errors: string[];
}

const DOCUMENT_ID = 'https://api.github.com/openapi.json';
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
// Statuses GitHub may answer on any operation, documented there or not, with a basic-error.
const ANY_OPERATION = new Set([401, 403, 404, 429]);

/** Whether one of ajv's formats (a pattern, a function or a definition of either) accepts `value`. */
function accepts(format: unknown, value: string): boolean {
  if (format instanceof RegExp) return format.test(value);
  if (typeof format === 'function') return (format as (text: string) => unknown)(value) === true;
  if (typeof format === 'object' && format && 'validate' in format)
    return accepts(format.validate, value);
  throw new Error(`not a format ajv-formats defines: ${String(format)}`);
}

let loaded: { description: Description; ajv: Ajv } | undefined;
const validators = new Map<string, ValidateFunction>();

function load() {
  if (!loaded) {
    const description = createRequire(import.meta.url)(
      '@octokit/openapi/generated/api.github.com.json',
    ) as Description;
    // OpenAPI 3.0 is JSON Schema with extras (nullable, example, discriminator…): ajv knows
    // nullable; strict off lets the other annotations be. Every format ajv-formats knows is
    // checked; uri and date-time also as GitHub writes them (a parseable URL; RFC 3339 with "T").
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true, logger: false }));
    const uri = ajv.formats.uri;
    const dateTime = ajv.formats['date-time'];
    ajv.addFormat('uri', (value: string) => accepts(uri, value) && URL.canParse(value));
    ajv.addFormat(
      'date-time',
      (value: string) =>
        accepts(dateTime, value) &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value),
    );
    ajv.addSchema({ $id: DOCUMENT_ID, components: description.components });
    loaded = { description, ajv };
  }
  return loaded;
}

function validatorFor(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    // The description's local $refs, pointed into the document added above.
    validate = load().ajv.compile(
      JSON.parse(key.replace(/"\$ref":"#\//g, `"$ref":"${DOCUMENT_ID}#/`)) as object,
    );
    validators.set(key, validate);
  }
  return validate;
}

function operationAt(template: string, method: string): Operation {
  const operation = load().description.paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`GitHub's description has no operation ${method} ${template}`);
  return operation;
}

/**
 * The JSON schema of an answer: the operation's own for that status; a 422 without a body
 * description, validation-error; 401, 403, 404, 429 and 5xx where the operation does not list
 * them, basic-error. Any other unlisted status is not GitHub's answer.
 */
function responseSchema(operation: Operation, status: number): object | 'undocumented' | undefined {
  let response = operation.responses?.[String(status)];
  if (response?.$ref)
    response = load().description.components.responses[response.$ref.split('/').pop()!];
  const listed = response?.content?.['application/json']?.schema;
  if (listed) return listed;
  if (status === 422) return { $ref: '#/components/schemas/validation-error' };
  if (!response && (ANY_OPERATION.has(status) || status >= 500))
    return { $ref: '#/components/schemas/basic-error' };
  return response ? undefined : 'undocumented';
}

/** What is wrong with `body` as GitHub's answer to `method template` with `status` ([] when nothing). */
export function schemaViolations(
  template: string,
  method: string,
  status: number,
  body: unknown,
): string[] {
  const schema = responseSchema(operationAt(template, method), status);
  if (schema === 'undocumented') return [`status ${status} is not documented`];
  if (!schema)
    return body === undefined ? [] : [`status ${status} is documented without a JSON body`];
  const validate = validatorFor(schema);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
  );
}

/** Checks a recorded answer's JSON body against its operation's schema for that status. */
function checkAnswer(request: RecordedRequest): ContractCheck {
  const { template } = request;
  if (!template)
    throw new Error(`${request.method} ${request.path}: not an operation of GitHub's REST API`);
  return {
    operation: `${request.method} ${template} ${request.status}`,
    errors: schemaViolations(template, request.method, request.status, request.response),
  };
}

/** Checks every recorded answer that has a JSON body. */
export const checkAnswers = (requests: RecordedRequest[]): ContractCheck[] =>
  requests.filter((request) => request.response !== undefined).map(checkAnswer);

/** The validator of a component schema (release, release-asset, simple-user…). */
export const componentValidator = (name: string): ValidateFunction =>
  validatorFor({ $ref: `#/components/schemas/${name}` });

function sample(schema: Schema, depth: number): unknown {
  if (schema.$ref)
    return sample(load().description.components.schemas[schema.$ref.split('/').pop()!], depth);
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
