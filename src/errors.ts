/**
 * A bad input (action input or CLI flag): names the input, the value and what is allowed.
 * Raised before anything remote happens.
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`Invalid input "${input}": ${JSON.stringify(value)} is not allowed; expected ${allowed}`);
    this.name = 'InputError';
  }
}

/** The message of anything thrown, for logs. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
