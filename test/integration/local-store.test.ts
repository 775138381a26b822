import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebApiCatalog } from '../../functions/commons/clients/spotify/catalog';
import { keys } from '../../functions/commons/domain/keys';
import { parseSourceRef, TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { DataDirBusy, lockFileOf } from '../../scripts/local/data-dir-lock';
import { mirrorBucket, startLocalS3 } from '../../scripts/local/local-s3';
import { PROJECT_ROOT } from '../../scripts/local/project-files';
import {
  DEFAULT_LOCAL_BUCKET,
  runLocalExecution,
  s3StoreDir,
  type LocalRunOptions,
  type LocalRunResult,
} from '../../scripts/local/run-local';
import { readCsv } from '../helpers/csv';
import { startSpotifyStandIn, type SpotifyStandIn } from '../spotify-stand-in/server';

const SOURCES = [`playlist:${TOP_50_GLOBAL_PLAYLIST_ID}`, 'me:top-tracks:short_term', 'me:recently-played'];
const CHART = parseSourceRef(SOURCES[0] ?? '');
if (!('ref' in CHART)) throw new Error(CHART.problem);

const CLI_ENV = { SPOTIFY_CLIENT_ID: '', SPOTIFY_CLIENT_SECRET: '', SPOTIFY_REFRESH_TOKEN: '' };

/** Every file under `dir` (its path relative to `dir`) with its bytes. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const files = new Map<string, Buffer>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file).split(path.sep).join('/'), await readFile(file));
  }
  return files;
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** A PID that no process has: one of a process that has just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

interface Spawned {
  readonly pid: number;
  output(): string;
  waitFor(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `npm run local` in its own process group, as a terminal runs it (Ctrl-C reaches the group). */
function spawnCli(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/local.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...CLI_ENV, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const waiter of waiters.filter(({ text }) => stdout.includes(text))) waiter.resolve();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const { pid } = child;
  if (pid === undefined) throw new Error('the CLI did not start');
  return {
    pid,
    output: () => stdout,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then(({ code }) =>
          reject(new Error(`the CLI exited (${code}) before printing "${text}":\n${stdout}\n${stderr}`)),
        );
      }),
    exited,
  };
}

/** The local runner's data-dir safety: a lost store, files of others, concurrent and interrupted runs. */
describe('local data dir: never lose or falsify a day', () => {
  let spotify: SpotifyStandIn;
  let token: string;
  let dataDir: string;
  beforeAll(async () => {
    spotify = await startSpotifyStandIn({ mode: 'extended_quota' });
    token = spotify.grantRefreshToken();
  });
  afterAll(() => spotify.close());
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-store-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const bucketDir = () => path.join(dataDir, DEFAULT_LOCAL_BUCKET);

  /** A whole execution that owns the data dir (its own S3 server, the lock), as `npm run local` runs it. */
  async function run(date: string, options: Partial<LocalRunOptions> = {}): Promise<LocalRunResult> {
    spotify.options.snapshotDate = date;
    spotify.options.now = () => new Date(`${date}T06:00:00.000Z`);
    WebApiCatalog.forgetRefusals();
    const result = await runLocalExecution({
      dataDir,
      snapshotDate: date,
      sources: SOURCES,
      spotify: {
        apiUrl: spotify.url,
        accountsUrl: spotify.url,
        clientId: spotify.options.clientId,
        refreshToken: token,
      },
      onNotice: () => undefined,
      ...options,
    });
    expect([result.status, result.cause]).toEqual(['SUCCEEDED', undefined]);
    return result;
  }

  it('rebuilds a lost s3rver store from the plain files: every earlier file is kept byte for byte, with its S3 metadata', async () => {
    await run('2026-03-14');
    await writeFile(path.join(bucketDir(), 'notes.txt'), 'my own notes\n');
    const before = await filesUnder(bucketDir());
    expect(before.size).toBeGreaterThan(10);

    await rm(s3StoreDir(dataDir), { recursive: true, force: true });
    const notices: string[] = [];
    // An earlier date: latest/ must stay on 2026-03-14, which only the restored metadata tells.
    const second = await run('2026-03-13', { onNotice: (line) => notices.push(line) });
    expect(notices).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Store: .*\\.s3rver was missing or empty; rebuilt it from the ${before.size} plain files under `,
        ),
      ),
    ]);
    expect(notices[0]).toContain('(1 of them not as a run last wrote them, so without S3 metadata)');
    const after = await filesUnder(bucketDir());
    for (const [key, bytes] of before)
      expect([key, md5(after.get(key) ?? Buffer.alloc(0))]).toEqual([key, md5(bytes)]);
    expect(readCsv(second.fileOf(keys.topTracksCsv('2026-03-13', CHART))).rows).toHaveLength(50);

    // The store holds the earlier objects again: a plain file removed by hand comes back from it.
    const chartFile = second.fileOf(keys.topTracksCsv('2026-03-14', CHART));
    await rm(chartFile);
    const s3 = await startLocalS3(s3StoreDir(dataDir), [DEFAULT_LOCAL_BUCKET]);
    try {
      await mirrorBucket(s3.endpoint, DEFAULT_LOCAL_BUCKET, dataDir);
    } finally {
      await s3.close();
    }
    expect(readFileSync(chartFile)).toEqual(before.get(keys.topTracksCsv('2026-03-14', CHART)));

    // A plain file changed by hand at the same size (only its time tells) is put back too: the
    // mirror skips reading a file only while its size and time are those it wrote.
    const original = readFileSync(chartFile);
    await writeFile(chartFile, Buffer.alloc(original.length, '-'));
    await utimes(chartFile, new Date(), new Date(Date.now() + 5_000));
    const again = await startLocalS3(s3StoreDir(dataDir), [DEFAULT_LOCAL_BUCKET]);
    try {
      await mirrorBucket(again.endpoint, DEFAULT_LOCAL_BUCKET, dataDir);
    } finally {
      await again.close();
    }
    expect(readFileSync(chartFile)).toEqual(original);
  });

  it('never deletes a plain file it did not write: a file of yours, or one whose object is gone from the store', async () => {
    const first = await run('2026-03-14');
    const notes = path.join(bucketDir(), 'notes.txt');
    await writeFile(notes, 'my own notes\n');
    const foreign = path.join(bucketDir(), 'curated', 'top_tracks', 'snapshot_date=2020-01-01', 'other.csv');
    await mkdir(path.dirname(foreign), { recursive: true });
    await writeFile(foreign, 'rank,track_id\n1,abc\n');
    // The store loses one object (a person's clean-up): its plain copy is all that is left.
    const manifest = first.fileOf(first.manifestKey);
    const manifestBytes = readFileSync(manifest);
    await rm(path.join(s3StoreDir(dataDir), DEFAULT_LOCAL_BUCKET, `${first.manifestKey}._S3rver_object`));

    await run('2026-03-15');
    expect(readFileSync(notes, 'utf8')).toBe('my own notes\n');
    expect(readFileSync(foreign, 'utf8')).toBe('rank,track_id\n1,abc\n');
    expect(readFileSync(manifest)).toEqual(manifestBytes);
  });

  it('a second run on the same data dir waits for the first, saying for which PID, and both runs survive', async () => {
    // The first run calls "Spotify" through a gate that holds every request until the second run
    // says it waits, so the two surely overlap.
    const today = new Date().toISOString().slice(0, 10);
    spotify.options.snapshotDate = today;
    spotify.options.now = () => new Date();
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = createServer((request, response) => {
      void opened.then(() => {
        const upstream = httpRequest(
          `${spotify.url}${request.url ?? '/'}`,
          { method: request.method, headers: request.headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        request.pipe(upstream);
      });
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const address = gate.address();
    if (typeof address !== 'object' || address === null) throw new Error('the gate has no port');
    const gateUrl = `http://127.0.0.1:${address.port}`;
    try {
      const first = spawnCli(['--source', 'me:top-tracks:short_term'], {
        LOCAL_DATA_DIR: dataDir,
        SPOTIFY_CLIENT_ID: spotify.options.clientId,
        SPOTIFY_REFRESH_TOKEN: spotify.grantRefreshToken(),
        SPOTIFY_API_URL: gateUrl,
        SPOTIFY_ACCOUNTS_URL: gateUrl,
      });
      await first.waitFor('▶ Plan started');
      expect(readFileSync(lockFileOf(dataDir), 'utf8')).toMatch(/^\{"pid":\d+,"startedAt":"[-:.TZ\d]+"\}\n$/);
      const second = spawnCli(['--date', '2026-03-15'], { LOCAL_DATA_DIR: dataDir });
      await second.waitFor('Lock: waiting for PID');
      expect(second.output()).toMatch(
        /Lock: waiting for PID \d+ \(a local run started .*\) to finish with .* \(up to 60 s\)/,
      );
      expect(second.output()).not.toContain('▶ Plan started');
      open();
      const [firstResult, secondResult] = await Promise.all([first.exited, second.exited]);
      expect([firstResult.code, firstResult.stderr, secondResult.code, secondResult.stderr]).toEqual([
        0,
        '',
        0,
        '',
      ]);
    } finally {
      open();
      gate.closeAllConnections();
      await new Promise<void>((resolve) => gate.close(() => resolve()));
    }
    const runs = await readdir(path.join(bucketDir(), 'runs'));
    expect(runs.sort()).toEqual([`snapshot_date=2026-03-15`, `snapshot_date=${today}`].sort());
    for (const manifests of runs)
      expect(await readdir(path.join(bucketDir(), 'runs', manifests))).toHaveLength(1);
    const top = parseSourceRef('me:top-tracks:short_term');
    if (!('ref' in top)) throw new Error(top.problem);
    for (const [date, source] of [
      [today, top],
      ['2026-03-15', top],
      ['2026-03-15', CHART],
    ] as const) {
      expect(
        readCsv(path.join(bucketDir(), ...keys.topTracksCsv(date, source).split('/'))).rows,
      ).toHaveLength(50);
    }
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  });

  it('refuses with DataDirBusy when a live run keeps the lock past the wait, and takes over a stale lock', async () => {
    const lock = lockFileOf(dataDir);
    await writeFile(lock, JSON.stringify({ pid: process.pid, startedAt: '2026-03-14T06:00:00.000Z' }));
    await expect(run('2026-03-14', { lockWaitMs: 0 })).rejects.toThrow(DataDirBusy);
    await expect(run('2026-03-14', { lockWaitMs: 0 })).rejects.toThrow(
      `Another local run (PID ${process.pid}, started 2026-03-14T06:00:00.000Z) is using ${dataDir}`,
    );

    const dead = deadPid();
    await writeFile(lock, JSON.stringify({ pid: dead, startedAt: '2026-03-14T06:00:00.000Z' }));
    const notices: string[] = [];
    await run('2026-03-14', { onNotice: (line) => notices.push(line) });
    expect(notices).toEqual([
      `Lock: taking over the stale lock ${lock} of PID ${dead} (started 2026-03-14T06:00:00.000Z), which no longer runs`,
    ]);
    expect(existsSync(lock)).toBe(false);
  });

  it('Ctrl-C during Load leaves no empty or partial file, and the next run succeeds', async () => {
    const first = await run('2026-03-14');
    const earlier = await filesUnder(bucketDir());
    const interrupted = spawnCli(['--date', '2026-03-15'], { LOCAL_DATA_DIR: dataDir });
    await interrupted.waitFor('▶ Load');
    process.kill(-interrupted.pid, 'SIGINT');
    const stopped = await interrupted.exited;
    expect([stopped.code, stopped.stderr]).toEqual([130, expect.stringContaining('Interrupted: stopped.')]);
    expect(existsSync(lockFileOf(dataDir))).toBe(false);

    const second = await run('2026-03-15');
    const files = await filesUnder(dataDir);
    expect([...files].filter(([, bytes]) => bytes.length === 0).map(([file]) => file)).toEqual([]);
    expect([...files.keys()].filter((file) => file.endsWith('.tmp'))).toEqual([]);
    // Every object in the store is whole (its bytes match its ETag) and is what its plain file holds.
    const store = path.join(s3StoreDir(dataDir), DEFAULT_LOCAL_BUCKET);
    const objects = [...files].filter(([file]) => file.endsWith('._S3rver_object'));
    expect(objects.length).toBeGreaterThanOrEqual(earlier.size);
    for (const [file, bytes] of objects) {
      const key = path.relative(store, path.join(dataDir, file)).slice(0, -'._S3rver_object'.length);
      const etag = files.get(`${file}.md5`)?.toString('utf8') ?? md5(bytes);
      expect([key, md5(bytes)]).toEqual([key, etag]);
      expect([key, md5(readFileSync(second.fileOf(key)))]).toEqual([key, etag]);
    }
    for (const key of earlier.keys()) {
      if (key.includes('2026-03-14'))
        expect(md5(readFileSync(first.fileOf(key)))).toBe(md5(earlier.get(key) ?? Buffer.alloc(0)));
    }
    for (const source of SOURCES.slice(0, 2)) {
      const parsed = parseSourceRef(source);
      if (!('ref' in parsed)) throw new Error(parsed.problem);
      expect(readCsv(second.fileOf(keys.topTracksCsv('2026-03-15', parsed))).rows).toHaveLength(50);
    }
  });
});
