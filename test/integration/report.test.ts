import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { keys, PREFIXES } from '../../functions/commons/domain/keys';
import { playlistSource, TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { renderCsv } from '../../functions/datasets/csv';
import { RECENTLY_PLAYED, type PlayRecord } from '../../functions/datasets/recently-played';
import {
  LOCAL_S3_CREDENTIALS,
  localS3Client,
  startLocalS3,
  type LocalS3,
} from '../../scripts/local/local-s3';
import { DEFAULT_LOCAL_BUCKET } from '../../scripts/local/run-local';
import { PIPELINE_CSV } from '../../scripts/report/read-curated';
import { LISTENING_ONLY_TITLE, NO_TOP_TRACKS } from '../../scripts/report/render-html';
import { NO_PLAYS } from '../../scripts/report/render-listening';
import { HEADLESS_ARGS, browserTest } from '../helpers/browser';
import { restoreFormula } from '../../functions/datasets/csv';
import { readCsv } from '../helpers/csv';
import { playRecord } from '../helpers/fixtures';
import { runInProcess } from '../helpers/run-in-process';
import { runScript } from '../helpers/run-script';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

const DATES = ['2026-03-01', '2026-03-08', '2026-03-15'];
const CHART = playlistSource(TOP_50_GLOBAL_PLAYLIST_ID);

const browser = browserTest("the report's chart rendered in headless Chromium");

/**
 * A small listening history (the rules are unit-tested in test/unit/listening.test.ts): an export
 * row has `msPlayed`, an API row `durationMs`, a merged row both, and one row has neither.
 */
function play(
  playedAt: string,
  artists: string[],
  length: { msPlayed?: number; durationMs?: number },
): PlayRecord {
  const exported = length.msPlayed !== undefined;
  return playRecord({
    played_at: playedAt,
    played_date: playedAt.slice(0, 10),
    track_id: `track-${playedAt}`,
    artist_names: artists,
    artist_ids: artists.map((_, index) =>
      exported && length.durationMs === undefined ? null : `artist${index}`,
    ),
    album_id: exported && length.durationMs === undefined ? null : 'album1',
    duration_ms: length.durationMs ?? null,
    source: exported ? 'export' : 'api',
    ms_played: length.msPlayed ?? null,
  });
}

const BAND = '<b>Band</b> & Co';
const PLAYS = [
  play('2025-12-31T23:59:59.999Z', ['Alpha', 'Beta'], { durationMs: 180_000 }),
  play('2026-01-01T00:00:00.000Z', ['Gamma'], { msPlayed: 120_000 }),
  play('2026-01-01T08:00:00.000Z', ['Alpha', 'Delta'], { msPlayed: 60_000, durationMs: 240_000 }),
  play('2026-01-01T09:00:00.000Z', ['Beta'], {}),
  play('2026-01-15T10:00:00.000Z', ['=SUM'], { durationMs: 300_000 }),
  play('2026-03-02T12:00:00.000Z', [BAND], { msPlayed: 270_000 }),
];

/** The day files Load would write for `plays` (renderCsv, one file per UTC day, plays by end time). */
function dayFiles(plays: readonly PlayRecord[]): Map<string, string> {
  const byDay = new Map<string, PlayRecord[]>();
  for (const entry of plays) byDay.set(entry.played_date, [...(byDay.get(entry.played_date) ?? []), entry]);
  return new Map(
    [...byDay].map(([day, dayPlays]) => [
      keys.playsCsv(day),
      renderCsv(
        RECENTLY_PLAYED,
        [...dayPlays].sort((a, b) => a.played_at.localeCompare(b.played_at)),
        PIPELINE_CSV,
      ),
    ]),
  );
}

async function writeFiles(bucketDir: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [key, text] of files) {
    const file = path.join(bucketDir, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}

interface DataMark {
  readonly title: string;
  readonly fill: string;
  readonly x: number;
  readonly y: number;
  readonly height: number;
}

/** The drawn data items of a figure's chart (heatmap cells, bars), each with the title it carries. */
async function dataMarks(page: Page, figure: string): Promise<Map<string, DataMark>> {
  const marks = new Map<string, DataMark>();
  for (const mark of await page.locator(`${figure} svg path[ecmeta_ssr_type="chart"]`).all()) {
    const title = (await mark.locator('title').textContent()) ?? '';
    // A zero-height bar has no box: Playwright reports an element it cannot see as null.
    const box = await mark.boundingBox();
    marks.set(title, {
      title,
      fill: (await mark.getAttribute('fill')) ?? '',
      x: box?.x ?? 0,
      y: box?.y ?? 0,
      height: box?.height ?? 0,
    });
  }
  return marks;
}

/**
 * `npm run report` (in this process: see runInProcess); a successful run is the precondition of
 * every check below. `inItsOwnProcess` for what only a process of its own shows (its time zone).
 */
async function report(args: string[], env: Record<string, string>, inItsOwnProcess = false) {
  const result = await (inItsOwnProcess ? runScript : runInProcess)('report', args, env);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result;
}

/**
 * One headless Chromium for the file's browser tests, launched by the first that needs it and
 * closed after the last; each test opens a page of its own in a fresh context.
 */
let chrome: Browser | undefined;
async function newPage(): Promise<Page> {
  chrome ??= await chromium.launch({ executablePath: browser.executablePath, args: HEADLESS_ARGS });
  const context = await chrome.newContext({ viewport: { width: 1200, height: 1000 } });
  return context.newPage();
}
afterAll(async () => {
  await chrome?.close();
});

describe('npm run report', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ mode: 'extended_quota' });
    for (const date of DATES) {
      stack.spotify.options.snapshotDate = date;
      const result = await stack.run({ snapshotDate: date, sources: [CHART.ref] });
      expect(result.status).toBe('SUCCEEDED');
    }
  });
  afterAll(() => stack.close());

  it('keeps three dates as three partitions whose charts differ', () => {
    const charts = DATES.map(
      (date) =>
        readCsv(path.join(stack.dataDir, stack.bucket, ...keys.topTracksCsv(date, CHART).split('/'))).rows,
    );
    expect(charts.map((rows) => rows.length)).toEqual([50, 50, 50]);
    const orders = charts.map((rows) => rows.map((r) => r.track_id).join());
    expect(new Set(orders).size).toBe(3);
  });

  browser.test(
    'renders a page with the bump chart and the movers, checked in headless Chromium',
    async () => {
      const out = path.join(stack.dataDir, 'report.html');
      const { stdout } = await report(['--out', out], { LOCAL_DATA_DIR: stack.dataDir });
      expect(stdout).toContain('3 dates (2026-03-01 to 2026-03-15), top 10 charted');

      const latest = readCsv(
        path.join(stack.dataDir, stack.bucket, ...keys.topTracksCsv('2026-03-15', CHART).split('/')),
      ).rows;
      const topNames = latest.slice(0, 10).map((row) => restoreFormula(row.track_name ?? ''));

      const page = await newPage();
      try {
        await page.goto(`file://${out}`);
        expect(await page.title()).toBe('Top 50 - Global: rank over time');
        const chartText = (await page.locator('#bump-chart svg').textContent()) ?? '';
        for (const name of topNames) expect(chartText).toContain(name.slice(0, 20));
        expect(await page.locator('#bump-chart svg path').count()).toBeGreaterThan(10);
        expect(await page.locator('#movers tbody tr').count()).toBeGreaterThan(0);
        expect(await page.locator('#listening .empty').textContent()).toBe(NO_PLAYS);
        // Kept for a person to look at only where asked (TEST_ARTIFACTS_DIR); otherwise it goes with the temp dir.
        const artifacts = process.env.TEST_ARTIFACTS_DIR ?? stack.dataDir;
        await mkdir(artifacts, { recursive: true });
        await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
      } finally {
        await page.context().close();
      }
    },
    60_000,
  );

  it('reads a bucket with --bucket, to the same result', async () => {
    const fromFiles = path.join(stack.dataDir, 'from-files.html');
    const fromBucket = path.join(stack.dataDir, 'from-bucket.html');
    await report(['--out', fromFiles], { LOCAL_DATA_DIR: stack.dataDir });
    await report(['--bucket', stack.bucket, '--out', fromBucket], {
      S3_ENDPOINT: stack.s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    });
    const strip = (html: string) => html.replace(/Generated \S+Z\./, '');
    expect(strip(await readFile(fromBucket, 'utf8'))).toBe(strip(await readFile(fromFiles, 'utf8')));
  });

  it('puts rank over time and listening time on one page when there are both', async () => {
    const both = await mkdtemp(path.join(tmpdir(), 'report-both-'));
    try {
      const topTracks = PREFIXES.topTracks.split('/');
      await cp(
        path.join(stack.dataDir, stack.bucket, ...topTracks),
        path.join(both, stack.bucket, ...topTracks),
        { recursive: true },
      );
      await writeFiles(path.join(both, DEFAULT_LOCAL_BUCKET), dayFiles(PLAYS));
      const out = path.join(both, 'report.html');
      const { stdout } = await report(['--out', out], { LOCAL_DATA_DIR: both });
      expect(stdout).toContain('3 dates (2026-03-01 to 2026-03-15), top 10 charted');
      expect(stdout).toContain('listening: 6 plays on 4 days (2025-12-31 to 2026-03-02)');
      const html = await readFile(out, 'utf8');
      expect(html).toContain('<title>Top 50 - Global: rank over time</title>');
      for (const figure of ['bump-chart', 'listening-heatmap', 'artist-chart'])
        expect(html).toMatch(new RegExp(`<figure id="${figure}"><svg`));
    } finally {
      await rm(both, { recursive: true, force: true });
    }
  });

  it('says what to do when there is no data', async () => {
    const result = await runInProcess('report', [], { LOCAL_DATA_DIR: path.join(stack.dataDir, 'empty') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Run the pipeline first');
  });
});

describe('npm run report: listening time', () => {
  const BUCKET = 'listening-fixture';
  const files = dayFiles(PLAYS);
  let dataDir: string;
  let s3: LocalS3;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'report-listening-'));
    await writeFiles(path.join(dataDir, DEFAULT_LOCAL_BUCKET), files);
    s3 = await startLocalS3(path.join(dataDir, '.s3rver'), [BUCKET]);
    const client = localS3Client(s3.endpoint);
    try {
      for (const [key, text] of files)
        await client.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text, ContentType: 'text/csv' }),
        );
    } finally {
      client.destroy();
    }
  });
  afterAll(async () => {
    await s3.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the files exactly as Load does: formula cells neutralized, one file per UTC day', () => {
    expect([...files.keys()]).toEqual([
      'curated/recently_played/played_date=2025-12-31/plays.csv',
      'curated/recently_played/played_date=2026-01-01/plays.csv',
      'curated/recently_played/played_date=2026-01-15/plays.csv',
      'curated/recently_played/played_date=2026-03-02/plays.csv',
    ]);
    expect(files.get('curated/recently_played/played_date=2026-01-15/plays.csv')).toContain(",'=SUM,");
  });

  browser.test(
    'draws minutes per day and the top artists per month without top_tracks, checked in headless Chromium',
    async () => {
      const out = path.join(dataDir, 'report.html');
      const { stdout } = await report(['--artists', '2', '--out', out], { LOCAL_DATA_DIR: dataDir });
      expect(stdout).toContain('rank over time: no top_tracks data, chart left out');
      expect(stdout).toContain(
        'listening: 6 plays on 4 days (2025-12-31 to 2026-03-02); length from ms_played 3, duration_ms 2, unknown 1',
      );

      const page = await newPage();
      try {
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        await page.goto(`file://${out}`);
        expect(await page.title()).toBe(LISTENING_ONLY_TITLE);
        expect(await page.locator('#no-top-tracks').textContent()).toBe(NO_TOP_TRACKS);
        expect(await page.locator('#listening-rules').textContent()).toContain(
          'Of 6 plays: 3 by ms_played, 2 by track length, 1 of unknown length (counted as 0 min).',
        );
        expect(await page.locator('#artist-rule').textContent()).toContain("name only the album's artist");

        // One cell per day with plays; 23:59:59.999Z and 00:00:00.000Z fall on two days (and years).
        const cells = await dataMarks(page, '#listening-heatmap');
        expect([...cells.keys()].sort()).toEqual([
          '2025-12-31: 3 min, 1 play',
          '2026-01-01: 3 min, 3 plays',
          '2026-01-15: 5 min, 1 play',
          '2026-03-02: 4.5 min, 1 play',
        ]);
        const cell = (title: string) => cells.get(title) ?? { title, fill: '', x: 0, y: 0, height: 0 };
        const dec31 = cell('2025-12-31: 3 min, 1 play');
        const jan1 = cell('2026-01-01: 3 min, 3 plays');
        const jan15 = cell('2026-01-15: 5 min, 1 play');
        const mar2 = cell('2026-03-02: 4.5 min, 1 play');
        // The colour is the value: equal minutes, equal colour; the most minutes, the darkest green.
        expect(jan1.fill).toBe(dec31.fill);
        expect(jan15.fill).toBe('rgb(11,77,36)');
        expect(new Set([jan1.fill, jan15.fill, mar2.fill]).size).toBe(3);
        // Newest year on top; within a year, a row per weekday (both Thursdays) and a column per week.
        expect(jan1.y).toBeLessThan(dec31.y);
        expect(jan15.y).toBe(jan1.y);
        expect(jan15.x).toBeGreaterThan(jan1.x);
        expect(mar2.y).toBeLessThan(jan1.y);

        const legend = (await page.locator('#artist-chart svg').textContent()) ?? '';
        for (const name of ['=SUM', BAND, 'Other artists']) expect(legend).toContain(name);
        expect(await page.locator('#artist-chart b').count()).toBe(0);
        const bars = await dataMarks(page, '#artist-chart');
        const drawn = [...bars.values()].filter((bar) => !bar.title.endsWith(': 0 min'));
        expect(drawn.map((bar) => bar.title).sort()).toEqual([
          `${BAND} · 2026-03: 4.5 min`,
          '=SUM · 2026-01: 5 min',
          'Other artists · 2025-12: 3 min',
          'Other artists · 2026-01: 3 min',
        ]);
        const bar = (title: string) => bars.get(title) ?? { title, fill: '', x: 0, y: 0, height: 0 };
        const sumJan = bar('=SUM · 2026-01: 5 min');
        const otherJan = bar('Other artists · 2026-01: 3 min');
        const otherDec = bar('Other artists · 2025-12: 3 min');
        // Heights are the minutes on one scale, and a month's artists stack.
        expect(sumJan.height / otherDec.height).toBeCloseTo(5 / 3, 1);
        expect(bar(`${BAND} · 2026-03: 4.5 min`).height / otherDec.height).toBeCloseTo(4.5 / 3, 1);
        expect(otherJan.height).toBeCloseTo(otherDec.height, 0);
        expect(otherJan.y + otherJan.height).toBeCloseTo(sumJan.y, 0);
        expect(otherJan.fill).toBe('#b0b0b0');

        expect(problems).toEqual([]);
        const artifacts = process.env.TEST_ARTIFACTS_DIR ?? dataDir;
        await mkdir(artifacts, { recursive: true });
        await page.screenshot({ path: path.join(artifacts, 'report-listening.png'), fullPage: true });
      } finally {
        await page.context().close();
      }
    },
    60_000,
  );

  it('reads the plays of a bucket with --bucket, to the same page', async () => {
    const fromFiles = path.join(dataDir, 'from-files.html');
    const fromBucket = path.join(dataDir, 'from-bucket.html');
    await report(['--out', fromFiles], { LOCAL_DATA_DIR: dataDir });
    await report(['--bucket', BUCKET, '--out', fromBucket], {
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    });
    const strip = (html: string) => html.replace(/Generated \S+Z\./, '');
    const page = strip(await readFile(fromFiles, 'utf8'));
    expect(page).toContain('6 plays on 4 days');
    expect(strip(await readFile(fromBucket, 'utf8'))).toBe(page);
  });

  it("draws the same page whatever the machine's time zone", async () => {
    // This process's own zone against one at least 11 hours away from it, in a process of its own
    // (a process reads TZ when it starts): local midnight falls on another UTC day in each.
    const hereEastOfUtc = new Date().getTimezoneOffset() <= 0;
    const elsewhere = hereEastOfUtc ? 'Pacific/Pago_Pago' : 'Pacific/Kiritimati';
    const pages = [];
    for (const zone of [undefined, elsewhere]) {
      const out = path.join(dataDir, `tz-${zone?.replace('/', '-') ?? 'here'}.html`);
      const env = { LOCAL_DATA_DIR: dataDir, ...(zone ? { TZ: zone } : {}) };
      await report(['--out', out], env, zone !== undefined);
      pages.push((await readFile(out, 'utf8')).replace(/Generated \S+Z\./, ''));
    }
    expect(pages[1]).toBe(pages[0]);
  });
});
