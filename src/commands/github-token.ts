import { log } from '../log.js';

/** The GitHub token in the named variable, masked at once; '' when unset. */
export function tokenFrom(variable: string): string {
  const token = process.env[variable]?.trim() ?? '';
  if (token) log.setSecret(token);
  return token;
}
