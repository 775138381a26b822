import { format } from 'node:util';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import type { ScriptResult } from './run-script';

/** The commands a test may run inside its own process, each loaded by a static import (typed). */
const COMMANDS = {
  local: () => import('../../scripts/local'),
  report: () => import('../../scripts/report'),
  'import-history': () => import('../../scripts/import-history'),
};

type Stream = NodeJS.WriteStream;

/** Sends what is written to `stream` (a string, bytes, with an optional callback) to `sink` instead. */
function redirect(stream: Stream, sink: (text: string) => void): () => void {
  const original = Object.getOwnPropertyDescriptor(stream, 'write');
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  stream.write = write;
  return () => {
    if (original) Object.defineProperty(stream, 'write', original);
    else Reflect.deleteProperty(stream, 'write');
  };
}

/** Signals and exit handlers a command may add; whatever it leaves is removed after the run. */
const PROCESS_EVENTS = ['SIGINT', 'SIGTERM', 'exit'] as const;

/**
 * Runs one of the project's commands (`scripts/<name>.ts`) in this process, as `runScript` runs it
 * in a child: the same arguments, environment and working directory, what it prints to stdout and
 * stderr, and the exit code it would exit with. The command and everything it imports are loaded
 * afresh (jest.isolateModulesAsync), so no module state carries over from another run, just as in
 * a new process; what it changes in process.env, process.argv and the process's listeners is
 * undone afterwards. It saves a process start and a TypeScript compile of the project per run
 * (1-3 s of CPU each); tests of what only a real process shows (exit on a signal, the exit code
 * the shell sees, stdin, a changed time zone) keep using runScript.
 */
export async function runInProcess(
  script: keyof typeof COMMANDS,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ScriptResult> {
  let stdout = '';
  let stderr = '';
  const toStdout = (text: string) => (stdout += text);
  const toStderr = (text: string) => (stderr += text);
  const savedEnv = { ...process.env };
  const savedArgv = process.argv;
  const savedCwd = process.cwd();
  const emitter: NodeJS.EventEmitter = process;
  const savedListeners = PROCESS_EVENTS.map((event) => [event, new Set(emitter.listeners(event))] as const);
  const savedConsole = {
    log: console.log,
    info: console.info,
    debug: console.debug,
    warn: console.warn,
    error: console.error,
  };
  process.argv = [process.execPath, `${PROJECT_ROOT}/scripts/${script}.ts`, ...args];
  Object.assign(process.env, env);
  process.chdir(PROJECT_ROOT);
  // Console methods print as Node's console does (util.format); handlers' loggers write to the streams.
  console.log = console.info = console.debug = (...data: unknown[]) => toStdout(`${format(...data)}\n`);
  console.warn = console.error = (...data: unknown[]) => toStderr(`${format(...data)}\n`);
  const restoreStdout = redirect(process.stdout, toStdout);
  const restoreStderr = redirect(process.stderr, toStderr);
  let code = -1;
  try {
    await jest.isolateModulesAsync(async () => {
      const { commandExitCode } = await import('../../scripts/cli');
      const { command } = await COMMANDS[script]();
      code = await commandExitCode(command);
    });
  } finally {
    restoreStderr();
    restoreStdout();
    Object.assign(console, savedConsole);
    process.chdir(savedCwd);
    process.argv = savedArgv;
    for (const key of Object.keys(process.env))
      if (!(key in savedEnv)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, savedEnv);
    for (const [event, before] of savedListeners) {
      for (const listener of emitter.listeners(event)) {
        if (!before.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return { code, stdout, stderr };
}
