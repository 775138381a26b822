import { readFileSync, rmSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, temporaryPathFor } from './atomic-files';

/** One local run at a time per data directory: `<dataDir>/.lock` holds the holder's PID and start time. */
export const lockFileOf = (dataDir: string) => path.join(dataDir, '.lock');

export const DEFAULT_LOCK_WAIT_MS = 60_000;

interface LockHolder {
  readonly pid: number;
  readonly startedAt: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Another run kept the data directory for longer than we would wait. */
export class DataDirBusy extends Error {
  override readonly name = 'DataDirBusy';
}

function parseHolder(text: string): LockHolder | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const pid = 'pid' in parsed ? parsed.pid : undefined;
  const startedAt = 'startedAt' in parsed ? parsed.startedAt : undefined;
  if (typeof pid !== 'number' || typeof startedAt !== 'string') return undefined;
  return { pid, startedAt };
}

/** By `code`, not `instanceof`: an fs error may come from another realm (jest's sandbox). */
const isCode = (error: unknown, code: string) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === code;

/** Creates `file` holding `text`, complete from its first moment, or answers false if it exists. */
async function createExclusively(file: string, text: string): Promise<boolean> {
  const temporary = temporaryPathFor(file);
  await writeFile(temporary, text);
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Removes the lock file if it still holds `staleText`. It is moved aside first, so that a lock a
 * faster run has just taken in its place is put back rather than deleted.
 */
async function removeStale(file: string, staleText: string): Promise<void> {
  const aside = temporaryPathFor(file);
  try {
    await rename(file, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  try {
    if ((await readFile(aside, 'utf8')) !== staleText) await link(aside, file).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * Takes `<dataDir>/.lock`. While another live run holds it, waits (saying once for which PID) up
 * to `waitMs`, then throws DataDirBusy. A lock whose PID no longer runs is taken over, with a notice.
 * The lock is also given back when the process exits (process.exit, Ctrl-C).
 */
export async function acquireDataDirLock(
  dataDir: string,
  options: { waitMs?: number; pollMs?: number; notice?: (line: string) => void } = {},
): Promise<DataDirLock> {
  const file = lockFileOf(dataDir);
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const notice = options.notice ?? ((line: string) => console.log(line));
  await mkdir(dataDir, { recursive: true });
  const text = `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`;
  const deadline = Date.now() + waitMs;
  let announced: number | undefined;
  while (!(await createExclusively(file, text))) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === undefined) continue;
    const holder = parseHolder(current);
    if (holder === undefined || !isProcessAlive(holder.pid)) {
      notice(
        holder === undefined
          ? `Lock: ${file} was unreadable; taking it over`
          : `Lock: taking over the stale lock ${file} of PID ${holder.pid} (started ${holder.startedAt}), which no longer runs`,
      );
      await removeStale(file, current);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new DataDirBusy(
        `Another local run (PID ${holder.pid}, started ${holder.startedAt}) is using ${dataDir}` +
          `${waitMs > 0 ? `; gave up waiting after ${Math.round(waitMs / 1000)} s` : ''}. ` +
          `Run again when it has finished, or use another LOCAL_DATA_DIR. If PID ${holder.pid} is not a local run, delete ${file}.`,
      );
    }
    if (announced !== holder.pid) {
      announced = holder.pid;
      notice(
        `Lock: waiting for PID ${holder.pid} (a local run started ${holder.startedAt}) to finish with ${dataDir} ` +
          `(up to ${Math.round(waitMs / 1000)} s)`,
      );
    }
    await sleep(Math.min(options.pollMs ?? 200, Math.max(0, deadline - Date.now())));
  }

  /** Deletes the lock only while it is still ours. */
  const releaseNow = () => {
    try {
      if (readFileSync(file, 'utf8') === text) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
  process.on('exit', releaseNow);
  return {
    file,
    release: () => {
      process.off('exit', releaseNow);
      releaseNow();
    },
  };
}
