import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { keys } from '../../functions/commons/domain/keys';
import { playlistSource, TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/domain/sources';
import { LOCAL_S3_CREDENTIALS } from '../../scripts/local/local-s3';
import { HEADLESS_ARGS, browserTest } from '../helpers/browser';
import { restoreFormula } from '../../functions/datasets/csv';
import { readCsv } from '../helpers/csv';
import { runScript } from '../helpers/run-script';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

const DATES = ['2026-03-01', '2026-03-08', '2026-03-15'];
const CHART = playlistSource(TOP_50_GLOBAL_PLAYLIST_ID);

const browser = browserTest("the report's chart rendered in headless Chromium");

/** `npm run report` in its own process; a successful run is the precondition of every check below. */
async function report(args: string[], env: Record<string, string>) {
  const result = await runScript('report', args, env);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result;
}

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

      const chrome = await chromium.launch({ executablePath: browser.executablePath, args: HEADLESS_ARGS });
      try {
        const page = await chrome.newPage({ viewport: { width: 1200, height: 1000 } });
        await page.goto(`file://${out}`);
        expect(await page.title()).toBe('Top 50 - Global: rank over time');
        const chartText = (await page.locator('#bump-chart svg').textContent()) ?? '';
        for (const name of topNames) expect(chartText).toContain(name.slice(0, 20));
        expect(await page.locator('#bump-chart svg path').count()).toBeGreaterThan(10);
        expect(await page.locator('#movers tbody tr').count()).toBeGreaterThan(0);
        // Kept for a person to look at only where asked (TEST_ARTIFACTS_DIR); otherwise it goes with the temp dir.
        const artifacts = process.env.TEST_ARTIFACTS_DIR ?? stack.dataDir;
        await mkdir(artifacts, { recursive: true });
        await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
      } finally {
        await chrome.close();
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

  it('says what to do when there is no data', async () => {
    const result = await runScript('report', [], { LOCAL_DATA_DIR: path.join(stack.dataDir, 'empty') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Run the pipeline first');
  });
});
