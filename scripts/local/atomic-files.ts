import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * `.<name>~<pid>-<random>.tmp` beside the file it becomes. The PID tells a later run whether the
 * writer is gone; the name never ends like an s3rver object (`._S3rver_object`) nor like a key.
 */
const TEMPORARY_NAME = /^\..*~(\d+)-[0-9a-f]+\.tmp$/;

let sequence = 0;

/** A unique temporary name in the file's own directory, so that a rename replaces it atomically. */
export function temporaryPathFor(file: string): string {
  sequence += 1;
  const unique = `${randomBytes(4).toString('hex')}${sequence.toString(16)}`;
  return path.join(path.dirname(file), `.${path.basename(file)}~${process.pid}-${unique}.tmp`);
}

/** A temporary file of `writeFileAtomic` (finished or abandoned): never a copy of an object. */
export function isTemporaryFile(file: string): boolean {
  return TEMPORARY_NAME.test(path.basename(file));
}

/**
 * Writes to a temporary file and renames it over `file`: a reader, or a run interrupted at any
 * point, sees the old content or the new one, never part of it.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const temporary = temporaryPathFor(file);
  try {
    await writeFile(temporary, data, options.mode === undefined ? {} : { mode: options.mode });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/**
 * Removes the temporary files that a killed run left under `dir` (its PID no longer runs); a live
 * writer's files are left alone. Returns how many were removed.
 */
export async function removeAbandonedTemporaryFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  let removed = 0;
  for (const entry of entries) {
    const pid = TEMPORARY_NAME.exec(entry.name)?.[1];
    if (!entry.isFile() || pid === undefined || isProcessAlive(Number(pid))) continue;
    await rm(path.join(entry.parentPath, entry.name), { force: true });
    removed += 1;
  }
  return removed;
}
