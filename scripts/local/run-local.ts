import path from 'node:path';
import { rm } from 'node:fs/promises';
import { keys, toRunId } from '../../functions/commons/domain/keys';
import { removeAbandonedTemporaryFiles } from './atomic-files';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock';
import { bindStateMachine, type EventLog, type Json, type Notification } from './state-machine';
import {
  LOCAL_S3_CREDENTIALS,
  mirrorBucket,
  objectIndexFileOf,
  restoreStoreFromMirror,
  startLocalS3,
  type LocalS3,
} from './local-s3';

export const DEFAULT_LOCAL_BUCKET = 'spotify-etl-local';

export interface SpotifyTarget {
  readonly apiUrl: string;
  readonly accountsUrl: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
}

export interface LocalRunOptions {
  /**
   * Runs as if the execution started on this UTC date (06:00): the offline sample's demos and the
   * tests use it to build a history. A run against the real Spotify runs today.
   */
  readonly snapshotDate?: string;
  /** Execution input `sources` (references as users write them); absent: the configured defaults. */
  readonly sources?: readonly string[];
  /** The execution's name (default: `local-<date>-<random>`); an import names it after its inbox folder. */
  readonly executionName?: string;
  /** The whole execution input, as given (tests of input validation); overrides `sources`. */
  readonly input?: Json;
  /** Where plain-file copies of the bucket go (`<dataDir>/<bucket>/<key>`) and s3rver keeps its store. */
  readonly dataDir: string;
  readonly bucket?: string;
  /** Absent for an execution that calls no Spotify (an import). */
  readonly spotify?: SpotifyTarget;
  /**
   * Reuse a running local S3 (tests); its owner looks after the data dir. Otherwise this run owns
   * the data dir: it takes `<dataDir>/.lock` (waiting for another run that holds it), clears what
   * a killed run left, rebuilds a lost store from the plain files, and starts and stops its own S3.
   */
  readonly s3Endpoint?: string;
  /** Own S3 only: delete the bucket's data (store and plain files) first, once the lock is held. */
  readonly reset?: boolean;
  /** Own S3 only: how long to wait for another run's lock before giving up (default 60 s). */
  readonly lockWaitMs?: number;
  /** One-line notices about the data dir (lock, reset, store rebuilt); default console.log. */
  readonly onNotice?: (line: string) => void;
  readonly realTimings?: boolean;
  /** Extra settings for the handlers (QUALITY_*, CSV_NEUTRALIZE_FORMULAS, ...). */
  readonly env?: Record<string, string>;
  readonly onEvent?: (event: EventLog) => void;
  /** Runs once the local S3 is up, before the execution starts (an import uploads its files here). */
  readonly beforeExecution?: (s3: { readonly endpoint: string; readonly bucket: string }) => Promise<void>;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly executionName: string;
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  readonly events: EventLog[];
  readonly notifications: Notification[];
  readonly durationMs: number;
  readonly bucketDir: string;
  /** The UTC date the execution ran on (its snapshot date). */
  readonly snapshotDate: string;
  /** Where this execution's run manifest is (written by Finalize, whatever the outcome of the sources). */
  readonly manifestKey: string;
  /** Plain-file path of an S3 key in the mirror. */
  fileOf(key: string): string;
}

/** Where s3rver keeps its own store, beside the plain-file mirror. */
export const s3StoreDir = (dataDir: string) => path.join(dataDir, '.s3rver');

/** Deletes the bucket's data: s3rver's store, the plain files and what the mirror knew of them. */
export async function resetLocalData(dataDir: string, bucket = DEFAULT_LOCAL_BUCKET): Promise<void> {
  await rm(s3StoreDir(dataDir), { recursive: true, force: true });
  await rm(path.join(dataDir, bucket), { recursive: true, force: true });
  await rm(objectIndexFileOf(dataDir, bucket), { force: true });
}

const shown = (dir: string) => path.relative(process.cwd(), dir) || '.';

/**
 * Prepares a data dir this process owns for a run and starts its S3: the lock first, then the
 * reset, the leftovers of a killed run, and a rebuild of a lost or empty store from the plain files.
 */
async function openDataDir(
  options: LocalRunOptions,
  bucket: string,
  notice: (line: string) => void,
): Promise<{ lock: DataDirLock; s3: LocalS3 }> {
  const { dataDir } = options;
  const lock = await acquireDataDirLock(dataDir, {
    notice,
    ...(options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs }),
  });
  try {
    if (options.reset) {
      await resetLocalData(dataDir, bucket);
      notice(`Reset: removed the local bucket data under ${shown(dataDir)}`);
    }
    await removeAbandonedTemporaryFiles(dataDir);
    const s3 = await startLocalS3(s3StoreDir(dataDir), [bucket]);
    try {
      const restore = await restoreStoreFromMirror(s3.endpoint, bucket, dataDir, s3StoreDir(dataDir));
      if (restore) {
        notice(
          `Store: ${shown(s3StoreDir(dataDir))} was missing or empty; rebuilt it from the ` +
            `${restore.restored} plain files under ${shown(path.join(dataDir, bucket))}` +
            (restore.withoutMetadata > 0
              ? ` (${restore.withoutMetadata} of them not as a run last wrote them, so without S3 metadata)`
              : ''),
        );
      }
      return { lock, s3 };
    } catch (error) {
      await s3.close();
      throw error;
    }
  } catch (error) {
    lock.release();
    throw error;
  }
}

function handlerEnvironment(
  options: LocalRunOptions,
  bucket: string,
  endpoint: string,
): Record<string, string> {
  const { spotify } = options;
  return {
    DATA_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    ...(spotify
      ? {
          SPOTIFY_API_URL: spotify.apiUrl,
          SPOTIFY_ACCOUNTS_URL: spotify.accountsUrl,
          SPOTIFY_CLIENT_ID: spotify.clientId,
          SPOTIFY_CLIENT_SECRET: spotify.clientSecret ?? '',
          SPOTIFY_REFRESH_TOKEN: spotify.refreshToken ?? '',
          // A rotated refresh token is kept here (mode 0600), git-ignored with the rest of the data dir.
          SPOTIFY_TOKEN_FILE: path.join(options.dataDir, 'spotify-token.json'),
        }
      : {}),
    ...(options.realTimings ? {} : { SPOTIFY_RETRY_BASE_MS: '20', SPOTIFY_MAX_RETRY_DELAY_MS: '200' }),
    ...options.env,
  };
}

/**
 * Runs one execution of the deployed state machine definition on this machine: real handlers,
 * a real S3 API (s3rver) and the Spotify API at `options.spotify`.
 */
export async function runLocalExecution(options: LocalRunOptions): Promise<LocalRunResult> {
  const bucket = options.bucket ?? DEFAULT_LOCAL_BUCKET;
  const started = Date.now();
  const notice = options.onNotice ?? ((line: string) => console.log(line));
  const owned = options.s3Endpoint === undefined ? await openDataDir(options, bucket, notice) : undefined;
  const endpoint = options.s3Endpoint ?? owned?.s3.endpoint ?? '';
  const saved = { ...process.env };
  Object.assign(process.env, handlerEnvironment(options, bucket, endpoint));
  const events: EventLog[] = [];
  try {
    await options.beforeExecution?.({ endpoint, bucket });
    const input: Json = options.input ?? (options.sources ? { sources: [...options.sources] } : {});
    const now = new Date();
    const startTime = options.snapshotDate ? new Date(`${options.snapshotDate}T06:00:00.000Z`) : now;
    const bound = await bindStateMachine({
      realTimings: options.realTimings ?? false,
      executionStartTime: startTime.toISOString(),
    });
    const executionName =
      options.executionName ??
      `local-${startTime.toISOString().slice(0, 10)}-${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const execution = bound.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: bound.handlers,
        retryIntervalOverrides: bound.retryOverrides,
        waitTimeOverrides: bound.waitOverrides,
      },
      context: {
        Execution: {
          Id: `arn:aws:states:local:000000000000:execution:pipeline:${executionName}`,
          Name: executionName,
          Input: input,
          StartTime: startTime.toISOString(),
        },
      },
    });
    const logging = (async () => {
      for await (const event of execution.eventLogs) {
        events.push(event);
        options.onEvent?.(event);
      }
    })();
    let output: Json | undefined;
    try {
      output = await execution.result;
    } catch {
      // The ExecutionFailed event carries the error name and cause; read them from the log below.
    }
    await logging;
    await mirrorBucket(endpoint, bucket, options.dataDir);

    const failed = events.find((event) => event.type === 'ExecutionFailed');
    const bucketDir = path.join(options.dataDir, bucket);
    const snapshotDate = startTime.toISOString().slice(0, 10);
    const common = {
      executionName,
      snapshotDate,
      manifestKey: keys.runManifest(snapshotDate, toRunId(executionName)),
      events,
      notifications: bound.notifications,
      durationMs: Date.now() - started,
      bucketDir,
      fileOf: (key: string) => path.join(bucketDir, ...key.split('/')),
    };
    if (failed && 'Error' in failed) {
      return { ...common, status: 'FAILED', error: failed.Error, cause: String(failed.Cause) };
    }
    return { ...common, status: 'SUCCEEDED', ...(output === undefined ? {} : { output }) };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, saved);
    try {
      await owned?.s3.close();
    } finally {
      owned?.lock.release();
    }
  }
}

export { keys };
