/**
 * `npm run check`: the type check, the lint and the format check, side by side rather than one
 * after another (each is a single process that waits on the disk part of the time; together they
 * finish in about the time of the slowest). Each tool's output is printed whole when it ends, so
 * outputs do not interleave; the exit code is 1 when any of them failed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const CHECKS = [
  { name: 'tsc', command: bin('tsc'), args: ['--noEmit', '-p', '.'] },
  { name: 'eslint', command: bin('eslint'), args: ['.'] },
  { name: 'prettier', command: bin('prettier'), args: ['--check', '.'] },
];

function run({ name, command, args }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push({ stream: process.stdout, chunk }));
    child.stderr.on('data', (chunk) => output.push({ stream: process.stderr, chunk }));
    child.on('error', (error) => {
      output.push({ stream: process.stderr, chunk: `${name}: ${error.message}\n` });
    });
    child.on('close', (code, signal) => {
      for (const { stream, chunk } of output) stream.write(chunk);
      if (code !== 0) process.stderr.write(`${name} failed (${signal ?? `exit code ${code}`})\n`);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(CHECKS.map(run));
process.exitCode = results.every(Boolean) ? 0 : 1;
