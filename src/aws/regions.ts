import { partition } from '@aws-sdk/core/client';

/**
 * AWS regions as the AWS SDK knows them: its partitions data (the same the endpoint rules
 * resolve against), never a list of our own. `partition()` returns a region's description only
 * for the regions that partition lists; a code that merely looks like one (us-east-10) gets none.
 */
export interface RegionInfo {
  region: string;
  /** aws, aws-cn, aws-us-gov, aws-eusc, aws-iso…: the first field of every ARN there. */
  partition: string;
  description: string;
  /** Disabled in an account until enabled (Settings > AWS Regions); see OPT_IN_REGIONS. */
  optIn: boolean;
}

/**
 * The regions an account must enable before use: AWS enables by default only the regions that
 * launched before 20 March 2019 (AWS Account Management guide, "Enable or disable AWS Regions in
 * your account"). The SDK's data does not carry this flag, so it is the one list kept here; a
 * region missing from it is only reported as not opt-in, never refused.
 */
const OPT_IN_REGIONS = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-west-1',
]);

/** What the SDK knows of `region`, or undefined when no partition lists it. */
export function regionInfo(region: string): RegionInfo | undefined {
  // Each partition also lists a pseudo-region (aws-global) that no regional service answers in.
  if (region.endsWith('-global')) return undefined;
  const found = partition(region) as { name: string; description?: string };
  if (found.description === undefined) return undefined;
  return {
    region,
    partition: found.name,
    description: found.description,
    optIn: OPT_IN_REGIONS.has(region),
  };
}

/** The partition of a known region (arn:<partition>:…); `aws` for anything else. */
export const partitionOf = (region: string): string => regionInfo(region)?.partition ?? 'aws';
