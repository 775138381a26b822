/**
 * `npm run check`: the type check, the lint and the format check.
 *
 * The type check and ESLint share one TypeScript program, in this process: ESLint's typed rules ask
 * the checker that the type check has just filled, instead of ESLint building a second program
 * and checking the project again (measured on 2 cores: 25 CPU-s in one process, against 37 for
 * `tsc --noEmit` and `eslint .` apart). `npx eslint .` and editors still use the project service
 * set in eslint.config.mjs. Prettier runs beside them in a process of its own.
 *
 * Each tool's output is printed whole when it ends, so outputs do not interleave; the exit code is
 * 1 when any of them failed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');

/** Prettier in a child process, its output kept until the others have printed theirs. */
function startPrettier() {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'prettier'), ['--check', '.'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Prettier turns on Node's compile cache, by default in the system temporary folder: keep it
      // beside the project's other caches instead, unless the user has chosen a place.
      env: {
        ...process.env,
        NODE_COMPILE_CACHE:
          process.env.NODE_COMPILE_CACHE || path.join(root, 'node_modules', '.cache', 'node-compile-cache'),
      },
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push({ stream: process.stdout, chunk }));
    child.stderr.on('data', (chunk) => output.push({ stream: process.stderr, chunk }));
    child.on('error', (error) => {
      output.push({ stream: process.stderr, chunk: `prettier: ${error.message}\n` });
    });
    child.on('close', (code, signal) => {
      const failure = code === 0 ? undefined : `prettier failed (${signal ?? `exit code ${code}`})\n`;
      resolve({ ok: code === 0, print: () => printAll(output, failure) });
    });
  });
}

function printAll(output, failure) {
  for (const { stream, chunk } of output) stream.write(chunk);
  if (failure) process.stderr.write(failure);
}

const diagnosticsHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

function formatDiagnostics(diagnostics) {
  return process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext(diagnostics, diagnosticsHost)
    : ts.formatDiagnostics(diagnostics, diagnosticsHost);
}

/** tsconfig.json's program and the diagnostics `tsc --noEmit -p .` would report for it. */
function typeCheck() {
  const configErrors = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic) },
  );
  if (!parsed) return { program: undefined, diagnostics: configErrors };
  // The config file's own problems (JSON syntax, unknown options) come back, once, with the
  // program's diagnostics, as tsc reports them.
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
  });
  return { program, diagnostics: ts.getPreEmitDiagnostics(program) };
}

async function lint(program) {
  const eslint = new ESLint({
    cwd: root,
    // Only the TypeScript files: eslint.config.mjs turns typed rules off for the JavaScript ones.
    // A TypeScript file that tsconfig.json leaves out is a parse error here, not a silent skip.
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.mts', '**/*.cts'],
        languageOptions: { parserOptions: { projectService: false, programs: [program] } },
      },
    ],
  });
  const results = await eslint.lintFiles(['.']);
  const formatter = await eslint.loadFormatter('stylish');
  const errors = results.reduce((count, result) => count + result.errorCount + result.fatalErrorCount, 0);
  return { ok: errors === 0, report: await formatter.format(results) };
}

const prettier = startPrettier();
let ok = true;

const { program, diagnostics } = typeCheck();
const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
if (diagnostics.length > 0) process.stdout.write(formatDiagnostics(diagnostics));
if (errors.length > 0) {
  process.stderr.write(`tsc failed: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
  ok = false;
}

if (program) {
  try {
    const linted = await lint(program);
    if (linted.report) process.stdout.write(linted.report);
    if (!linted.ok) {
      process.stderr.write('eslint failed\n');
      ok = false;
    }
  } catch (error) {
    process.stderr.write(`eslint failed: ${error instanceof Error ? error.message : String(error)}\n`);
    ok = false;
  }
}

const formatted = await prettier;
formatted.print();
process.exitCode = ok && formatted.ok ? 0 : 1;
