/**
 * A dry run's plan: one line per call a step would make, "<region> <service>:<Operation> <params>".
 * Parameters never carry secrets or file bytes (a zip is named by path and size).
 */
export type Plan = string[];

export const planLine = (region: string, call: string, params: object): string =>
  `${region} ${call} ${JSON.stringify(params)}`;

/** The recording adapters' one way to note a call they do not make. */
export type RecordCall = (call: string, params: object) => void;

/** Records calls made in `region` into `plan`. */
export const recorder =
  (plan: Plan, region: string): RecordCall =>
  (call, params) => {
    plan.push(planLine(region, call, params));
  };
