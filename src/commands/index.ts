import { awsCliLatestCommand } from './aws-cli-latest.js';
import { benchCommand } from './bench.js';
import { buildCommand } from './build.js';
import { canaryCommand } from './canary.js';
import type { Command } from './command.js';
import { invokeCommand } from './invoke.js';
import { publishCommand } from './publish.js';
import { releaseCommand } from './release.js';
import { retractCommand } from './retract.js';
import { runCommand } from './run.js';
import { sarCommand } from './sar.js';
import { ssmCommand } from './ssm.js';
import { testCommand } from './test.js';
import { verifyCommand } from './verify.js';

/** Every CLI command, in the order of the pipeline, then the maintainer's tools. */
export const commands: Command[] = [
  runCommand,
  buildCommand,
  testCommand,
  invokeCommand,
  releaseCommand,
  publishCommand,
  canaryCommand,
  ssmCommand,
  sarCommand,
  verifyCommand,
  retractCommand,
  benchCommand,
  awsCliLatestCommand,
];
