/**
 * A dry run's plan: one line per call a step would make, "<region> <service>:<Operation> <params>".
 * Parameters never carry secrets or file bytes.
 */
export type Plan = string[];

export const planLine = (region: string, call: string, params: object): string =>
  `${region} ${call} ${JSON.stringify(params)}`;
