/**
 * Builds the `huntpack` command line and runs it with injected io. Each command lives in its own
 * file; this one wires them up and turns errors into messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { formatLocation, HuntpackError, InternalError, UsageError } from '../errors.js';
import { registerBuildCommand } from './build.js';
import { registerCheckCommand } from './check.js';
import { registerFetchCommand } from './fetch.js';
import { registerLintCommand } from './lint.js';
import { registerHuntCommand } from './hunt.js';
import { EXIT_FAILURE, EXIT_USAGE, type CliIo } from './io.js';
import { HUNTPACK_VERSION } from '../version.js';

/** A command's action: does its work and returns the exit code. */
export type CommandAction = () => Promise<number>;

/** Returns the sentence that points to the help of `command`, or of huntpack without one. */
function helpHint(command: string | undefined): string {
  return `Run "huntpack${command === undefined ? '' : ` ${command}`} --help" for usage.`;
}

function reportError(error: unknown, io: CliIo, command?: string): number {
  if (error instanceof UsageError) {
    io.stderr.write(`huntpack: ${error.message}\n${helpHint(command)}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof InternalError || !(error instanceof HuntpackError)) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `huntpack: internal error: ${detail}\n` +
        `This is a huntpack bug. Please report it with the command you ran, the output above and ` +
        `huntpack ${HUNTPACK_VERSION} on Node.js ${process.version} (${process.platform}).\n`,
    );
    return EXIT_FAILURE;
  }
  const where = formatLocation(error.source);
  io.stderr.write(`huntpack: ${where ? `${where}: ` : ''}${error.message}\n`);
  return EXIT_FAILURE;
}

/**
 * Runs `huntpack` with arguments (without the node and script paths) and returns the exit code.
 * Nothing is written to the real process streams except through `io`.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let action: CommandAction | undefined;
  const program = new Command('huntpack')
    .description('Turn threat-intelligence feeds into checked detection packs and hunts.')
    .version(HUNTPACK_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const setAction = (next: CommandAction): void => {
    action = next;
  };
  registerBuildCommand(program, io, setAction);
  registerCheckCommand(program, io, setAction);
  registerFetchCommand(program, io, setAction);
  registerLintCommand(program, io, setAction);
  registerHuntCommand(program, io, setAction);
  // Commander's own usage errors, such as an unknown option, end with the same pointer. The
  // pointer names the whole command, such as `fetch threatfox`.
  let commandName: string | undefined;
  const pointToHelp = (command: Command, path: string | undefined): void => {
    command.showHelpAfterError(helpHint(path));
    if (command.commands.length === 0) return;
    command.hook('preSubcommand', (_, subcommand) => {
      commandName = path === undefined ? subcommand.name() : `${path} ${subcommand.name()}`;
    });
    for (const subcommand of command.commands) {
      pointToHelp(
        subcommand,
        path === undefined ? subcommand.name() : `${path} ${subcommand.name()}`,
      );
    }
  };
  pointToHelp(program, undefined);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end in a "success" error; anything else is a usage error.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportError(error, io, commandName);
  }
  if (!action) return 0;
  try {
    return await action();
  } catch (error) {
    return reportError(error, io, commandName);
  }
}
