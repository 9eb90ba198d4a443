import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import type { RecordedRequest } from './github-server.js';

/**
 * GitHub's REST description (@octokit/openapi, OpenAPI 3.0: `nullable`, `$ref`s into
 * components) as JSON-schema validators, to hold the GitHub stand-in to GitHub's contract.
 */

interface MediaType {
  schema?: object;
}
interface Response {
  $ref?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, Response>;
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, Response>; schemas: Record<string, object> };
}

const DOCUMENT_ID = 'https://api.github.com/openapi.json';

/** What checking one answer found: the operation it answered, and the schema's complaints. */
export interface ContractCheck {
  /** "POST /repos/{owner}/{repo}/releases 201" */
  operation: string;
  /** ajv's errors; empty when the body is valid. */
  errors: string[];
}

export class GitHubContract {
  private readonly description: Description;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    this.description = createRequire(import.meta.url)(
      '@octokit/openapi/generated/api.github.com.json',
    ) as Description;
    // OpenAPI 3.0 is JSON Schema with extras (nullable, example, discriminator…): ajv knows
    // nullable; strict off lets the other annotations be.
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    this.ajv.addFormat('uri', (value: string) => URL.canParse(value));
    this.ajv.addFormat('date-time', (value: string) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value),
    );
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: this.description.components });
  }

  /** The validator of a component schema (release, release-asset, simple-user…). */
  schema(name: string): ValidateFunction {
    return this.validatorFor({ $ref: `${DOCUMENT_ID}#/components/schemas/${name}` });
  }

  /** Checks a recorded answer's JSON body against its operation's schema for that status. */
  check(request: RecordedRequest): ContractCheck {
    const [template, operation] = this.operationOf(request);
    const name = `${request.method} ${template} ${request.status}`;
    const schema = this.responseSchema(operation, request.status);
    if (!schema) throw new Error(`${name}: GitHub's description has no JSON body for it`);
    const validate = this.validatorFor(schema);
    return {
      operation: name,
      errors: validate(request.response)
        ? []
        : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`),
    };
  }

  private validatorFor(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** The path template and operation a stand-in request answered (uploads and /repositories/{id} too). */
  private operationOf(request: RecordedRequest): [string, Operation] {
    const path = request.path
      .replace(/\?.*$/, '')
      .replace(/^\/api\/v3/, '')
      .replace(/^\/(api\/)?uploads/, '')
      .replace(/^\/repositories\/\d+\//, '/repos/{owner}/{repo}/');
    for (const [template, operations] of Object.entries(this.description.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const operation = operations[request.method.toLowerCase()];
      if (operation && pattern.test(path)) return [template, operation];
    }
    throw new Error(`${request.method} ${path}: not an operation of GitHub's REST API`);
  }

  /**
   * The JSON schema of an answer: the operation's own for that status; for a status the
   * operation does not list (401, 403, 5xx…), GitHub's basic-error; for a 422 without a body
   * description, validation-error.
   */
  private responseSchema(operation: Operation, status: number): object | undefined {
    let response = operation.responses[String(status)];
    if (response?.$ref)
      response = this.description.components.responses[response.$ref.split('/').pop()!];
    const listed = response?.content?.['application/json']?.schema;
    if (listed) return listed;
    if (status === 422) return { $ref: '#/components/schemas/validation-error' };
    if (!response && status >= 400) return { $ref: '#/components/schemas/basic-error' };
    return undefined;
  }
}

/** A schema from the description with its local $refs pointed into the added document. */
function rebase(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${DOCUMENT_ID}#/`),
  ) as object;
}
