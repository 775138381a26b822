import { parseArgs, type ParseArgsConfig } from 'node:util';

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

/**
 * Runs a command's main and sets the exit code: its own (0 success, 1 failure), 2 with the usage
 * text for a UsageError, 1 with the message for anything else.
 */
export function runCommand(usage: string, main: () => Promise<number> | number): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        if (error instanceof UsageError) {
          console.error(`error: ${error.message}\n\n${usage}`);
          process.exitCode = 2;
          return;
        }
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      },
    );
}
