/**
 * `npm run report`: a self-contained HTML page with a rank-over-time bump chart of the newest top
 * tracks and a table of the day's movers, from the curated CSVs of the local run (default) or of a
 * bucket (--bucket). Exit codes: 0 written, 1 failed, 2 bad usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  isSourceRef,
  parseSourceRef,
  playlistSource,
  SOURCE_REFERENCE_HELP,
  TOP_50_GLOBAL_PLAYLIST_ID,
} from '../functions/commons/domain/sources';
import { restoreFormula } from '../functions/datasets/csv';
import { parseFlags, runCommand, UsageError } from './cli';
import { PROJECT_ROOT } from './local/project-files';
import { DEFAULT_LOCAL_BUCKET } from './local/run-local';
import { LocalCuratedSource, S3CuratedSource, type CuratedSource } from './report/curated-source';
import { renderReport } from './report/render-html';
import { buildTrend, type ChartRow } from './report/trend';

const USAGE = `Usage: npm run report -- [options]

Writes an HTML page with a rank-over-time chart and today's movers from the curated CSVs.

Options:
  --bucket NAME      read s3://NAME/curated/top_tracks/ (default: the local run's files)
  --source REF       which source to chart, e.g. me:top-tracks:short_term or playlist:<id>
                     (default: Top 50 - Global, else your short-term top tracks, else the first found)
  --playlist ID      shorthand for --source playlist:ID
  --top N            how many of the newest top tracks to chart (default 10)
  --out FILE         where to write the page (default: $LOCAL_DATA_DIR/report.html)
  --help             show this help`;

const csvRowSchema = z.object({
  snapshot_date: z.string(),
  source: z.string(),
  source_name: z.string(),
  rank: z.coerce.number().int().positive(),
  track_id: z.string(),
  track_name: z.string(),
  artist_names: z.string(),
});

async function readRows(source: CuratedSource): Promise<ChartRow[]> {
  const rows: ChartRow[] = [];
  for (const key of await source.listCsvKeys()) {
    const records: unknown[] = parse(await source.readCsv(key), { columns: true });
    for (const record of records) {
      const row = csvRowSchema.parse(record);
      rows.push({
        snapshotDate: row.snapshot_date,
        source: row.source,
        sourceName: restoreFormula(row.source_name),
        rank: row.rank,
        trackId: row.track_id,
        // Undo the CSV-injection guard for display: the page is not a spreadsheet.
        trackName: restoreFormula(row.track_name),
        artistNames: restoreFormula(row.artist_names),
      });
    }
  }
  return rows;
}

function parseCli() {
  const values = parseFlags({
    bucket: { type: 'string' },
    source: { type: 'string' },
    playlist: { type: 'string' },
    top: { type: 'string', default: '10' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  });
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 50)
    throw new UsageError(`--top must be 1..50, got "${values.top}"`);
  const reference =
    values.source ?? (values.playlist === undefined ? undefined : `playlist:${values.playlist}`);
  const parsed = reference === undefined ? undefined : parseSourceRef(reference);
  if (parsed && !isSourceRef(parsed)) throw new UsageError(`${parsed.problem}. ${SOURCE_REFERENCE_HELP}`);
  return { ...values, top, source: parsed?.ref };
}

async function main(): Promise<number> {
  const cli = parseCli();
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = path.resolve(PROJECT_ROOT, process.env.LOCAL_DATA_DIR ?? '.local');
  const endpoint = process.env.S3_ENDPOINT?.trim();
  const source: CuratedSource = cli.bucket
    ? new S3CuratedSource(new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {}), cli.bucket)
    : new LocalCuratedSource(path.join(dataDir, DEFAULT_LOCAL_BUCKET));

  const rows = await readRows(source);
  if (rows.length === 0) {
    console.error(
      `No curated CSVs found in ${source.describe()}. Run the pipeline first, e.g. npm run local -- --date 2026-01-31`,
    );
    return 1;
  }
  const available = [...new Set(rows.map((row) => row.source))];
  const preferred = [playlistSource(TOP_50_GLOBAL_PLAYLIST_ID).ref, 'me:top-tracks:short_term'];
  const chosen = cli.source ?? preferred.find((ref) => available.includes(ref)) ?? available[0];
  if (!chosen || !available.includes(chosen)) {
    console.error(`Source ${chosen ?? ''} is not in the data; it has: ${available.join(', ')}`);
    return 1;
  }
  const trend = buildTrend(rows, chosen, cli.top);
  const out = path.resolve(cli.out ?? path.join(dataDir, 'report.html'));
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, renderReport(trend, new Date()));
  console.log(`Report: ${path.relative(process.cwd(), out) || out}`);
  console.log(
    `  ${trend.sourceName}: ${trend.dates.length} dates (${trend.dates[0] ?? ''} to ${trend.dates.at(-1) ?? ''}), top ${trend.tracks.length} charted`,
  );
  return 0;
}

runCommand(USAGE, main);
