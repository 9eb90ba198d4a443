import { parseArgs } from 'node:util';
import { UnreleasableError } from './dist.js';
import { InputError, messageOf } from './errors.js';
import { commands } from './commands/index.js';
import type { Command, Pacing } from './commands/command.js';

const NAME = 'lambda-shell-runtime';

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: ${NAME} <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun '${NAME} <command> --help' for a command's options.\n`;
}

const commandUsage = (command: Command): string =>
  `Usage: ${NAME} ${command.name} [options]\n\n${command.summary}\n\nOptions:\n${command.usage}\n`;

/** Runs the CLI on argv (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], pacing?: Pacing): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`${NAME}: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${NAME} ${name}: ${messageOf(error)}\n\n${commandUsage(command)}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, pacing);
  } catch (error) {
    // Steps speak the action's and the CLI's common words; the flag is the CLI's alone.
    const hint =
      error instanceof UnreleasableError && 'allow-unreleasable' in command.options
        ? ', or pass --allow-unreleasable to ship them anyway'
        : '';
    process.stderr.write(`${NAME} ${name}: ${messageOf(error)}${hint}\n`);
    return error instanceof InputError ? 2 : 1;
  }
}
