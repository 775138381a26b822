/**
 * `npm run report`: a self-contained HTML page with a rank-over-time bump chart of the newest top
 * tracks, a table of the day's movers and your listening time (minutes per day, top artists per
 * month), from the curated CSVs of the local run (default) or of a bucket (--bucket). Either
 * dataset alone is enough for a page. Exit codes: 0 written, 1 failed (or no data at all), 2 bad usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  isSourceRef,
  parseSourceRef,
  playlistSource,
  SOURCE_REFERENCE_HELP,
  TOP_50_GLOBAL_PLAYLIST_ID,
} from '../functions/commons/domain/sources';
import { parseFlags, runCommand, UsageError, type Command } from './cli';
import { localDataDir } from './local/project-files';
import { DEFAULT_LOCAL_BUCKET } from './local/run-local';
import { LocalCuratedSource, S3CuratedSource, type CuratedSource } from './report/curated-source';
import { plural } from './report/html';
import { buildListening } from './report/listening';
import { readPlays, readTopTracks } from './report/read-curated';
import { renderReport } from './report/render-html';
import { buildTrend, type ChartRow, type Trend } from './report/trend';

const USAGE = `Usage: npm run report -- [options]

Writes an HTML page from the curated CSVs: a rank-over-time chart and today's movers (top_tracks),
and listening time per day and top artists per month (recently_played).

Options:
  --bucket NAME      read s3://NAME/curated/ (default: the local run's files)
  --source REF       which source to chart, e.g. me:top-tracks:short_term or playlist:<id>
                     (default: Top 50 - Global, else your short-term top tracks, else the first found)
  --playlist ID      shorthand for --source playlist:ID
  --top N            how many of the newest top tracks to chart (default 10)
  --artists N        how many artists the listening chart names, the rest are "Other" (default 8)
  --out FILE         where to write the page (default: $LOCAL_DATA_DIR/report.html)
  --help             show this help`;

function intFlag(name: string, value: string, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max)
    throw new UsageError(`--${name} must be 1..${max}, got "${value}"`);
  return parsed;
}

function parseCli() {
  const values = parseFlags({
    bucket: { type: 'string' },
    source: { type: 'string' },
    playlist: { type: 'string' },
    top: { type: 'string', default: '10' },
    // Up to nine artists keep a colour each (ECharts' palette has nine; "Other" is grey).
    artists: { type: 'string', default: '8' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  });
  const top = intFlag('top', values.top, 50);
  const artists = intFlag('artists', values.artists, 20);
  const reference =
    values.source ?? (values.playlist === undefined ? undefined : `playlist:${values.playlist}`);
  const parsed = reference === undefined ? undefined : parseSourceRef(reference);
  if (parsed && !isSourceRef(parsed)) throw new UsageError(`${parsed.problem}. ${SOURCE_REFERENCE_HELP}`);
  return { ...values, top, artists, source: parsed?.ref };
}

/** The chosen source's trend; a message instead when the source asked for is not in the data. */
function chooseTrend(rows: readonly ChartRow[], asked: string | undefined, top: number): Trend | string {
  const available = [...new Set(rows.map((row) => row.source))];
  const preferred = [playlistSource(TOP_50_GLOBAL_PLAYLIST_ID).ref, 'me:top-tracks:short_term'];
  const chosen = asked ?? preferred.find((ref) => available.includes(ref)) ?? available[0];
  if (!chosen || !available.includes(chosen))
    return `Source ${chosen ?? ''} is not in the data; it has: ${available.join(', ')}`;
  return buildTrend(rows, chosen, top);
}

async function main(): Promise<number> {
  const cli = parseCli();
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = localDataDir();
  const endpoint = process.env.S3_ENDPOINT?.trim();
  const source: CuratedSource = cli.bucket
    ? new S3CuratedSource(new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {}), cli.bucket)
    : new LocalCuratedSource(path.join(dataDir, DEFAULT_LOCAL_BUCKET));

  const [rows, plays] = await Promise.all([readTopTracks(source), readPlays(source)]);
  if (rows.length === 0 && plays.length === 0) {
    console.error(
      `No curated CSVs (top_tracks or recently_played) found in ${source.describe()}. ` +
        'Run the pipeline first, e.g. npm run local -- --date 2026-01-31',
    );
    return 1;
  }
  const trend = rows.length === 0 ? undefined : chooseTrend(rows, cli.source, cli.top);
  if (typeof trend === 'string') {
    console.error(trend);
    return 1;
  }
  const listening = buildListening(plays);
  const out = path.resolve(cli.out ?? path.join(dataDir, 'report.html'));
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, renderReport({ trend, listening, topArtists: cli.artists, generatedAt: new Date() }));
  console.log(`Report: ${path.relative(process.cwd(), out) || out}`);
  console.log(
    trend
      ? `  ${trend.sourceName}: ${trend.dates.length} dates (${trend.dates[0] ?? ''} to ${trend.dates.at(-1) ?? ''}), top ${trend.tracks.length} charted`
      : '  rank over time: no top_tracks data, chart left out',
  );
  const { days, counts } = listening;
  console.log(
    days.length > 0
      ? `  listening: ${plural(counts.plays, 'play')} on ${plural(days.length, 'day')} (${days[0]?.date ?? ''} to ${days.at(-1)?.date ?? ''}); ` +
          `length from ms_played ${counts.byRule.ms_played}, duration_ms ${counts.byRule.duration_ms}, unknown ${counts.byRule.unknown}`
      : '  listening: no plays yet',
  );
  return 0;
}

export const command: Command = { usage: USAGE, main };

// Run as the entry point (npm run ...); a test imports `command` and runs it in the test's process (test/helpers/run-in-process.ts).
if (require.main === module) runCommand(command);
