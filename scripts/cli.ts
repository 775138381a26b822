import { parseArgs, type ParseArgsConfig } from 'node:util';

/** package.json `engines`; the local state machine engine needs Promise.withResolvers (Node 22). */
const MINIMUM_NODE_MAJOR = 22;

/** A wrong flag or value: the command prints the message and its usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict flag parsing: unknown flags and positionals are usage errors. */
export function parseFlags<T extends Options>(options: T, args = process.argv.slice(2)) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Strict flag parsing for a command that also takes operands (paths): unknown flags are usage errors. */
export function parseFlagsAndOperands<T extends Options>(options: T, args = process.argv.slice(2)) {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values, operands: positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A command's usage text and its main, which answers the exit code (0 success, 1 failure). */
export interface Command {
  readonly usage: string;
  readonly main: () => Promise<number> | number;
}

/**
 * Runs a command's main and answers its exit code: its own (0 success, 1 failure), 2 with the
 * usage text for a UsageError, 1 with the message for anything else. Tests run a command inside the
 * test's process through this; runCommand is what a command's file does when it is the entry point.
 */
export async function commandExitCode({ usage, main }: Command): Promise<number> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MINIMUM_NODE_MAJOR) {
    console.error(
      `error: this project needs Node.js ${MINIMUM_NODE_MAJOR} or newer (tested on 22 and 24); this is ${process.version}. ` +
        'Install a current Node.js LTS and run `npm ci` again.',
    );
    return 1;
  }
  try {
    return await main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** Runs the command and sets the process's exit code (see commandExitCode). */
export function runCommand(command: Command): void {
  void commandExitCode(command).then((code) => {
    process.exitCode = code;
  });
}
