import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { parseCsv, restoreFormula, type CsvOptions } from '../../functions/datasets/csv';
import { playRecordSchema, RECENTLY_PLAYED, type PlayRecord } from '../../functions/datasets/recently-played';
import type { CuratedSource } from './curated-source';
import type { ChartRow } from './trend';

/**
 * How the pipeline writes its CSVs by default (`neutralizeCsvFormulas: true` in serverless.yml):
 * reading with the same options gives back exactly the text Spotify sent.
 */
export const PIPELINE_CSV: CsvOptions = { neutralizeFormulas: true };

const csvRowSchema = z.object({
  snapshot_date: z.string(),
  source: z.string(),
  source_name: z.string(),
  rank: z.coerce.number().int().positive(),
  track_id: z.string(),
  track_name: z.string(),
  artist_names: z.string(),
});

export async function readTopTracks(source: CuratedSource): Promise<ChartRow[]> {
  const rows: ChartRow[] = [];
  for (const key of await source.listCsvKeys('top_tracks')) {
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

/**
 * One day's plays.csv, read the way Load reads it back before a merge (the project's own parser and
 * the dataset's schema), so that every cell comes back as the pipeline had it. `where` names the
 * file in the error: a file the report cannot read is a problem to fix, not rows to skip quietly.
 */
export function parsePlaysCsv(text: string, where: string, options: CsvOptions = PIPELINE_CSV): PlayRecord[] {
  const fail = (problem: string) =>
    new Error(`${where} is not a recently_played file: ${problem.slice(0, 300)}`);
  let rows: Record<string, unknown>[];
  try {
    rows = parseCsv(RECENTLY_PLAYED, text, options);
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  return rows.map((row, index) => {
    const parsed = playRecordSchema.safeParse(row);
    if (!parsed.success) throw fail(`row ${index + 1}: ${parsed.error.message}`);
    // The charts place a play by this instant; the schema only knows it is text.
    if (Number.isNaN(Date.parse(parsed.data.played_at)))
      throw fail(`row ${index + 1}: played_at ${JSON.stringify(parsed.data.played_at)} is not an instant`);
    return parsed.data;
  });
}

/**
 * Files read at once from a bucket: an imported streaming history has a file per day for years,
 * thousands of GETs that one at a time would take minutes; a few in flight keep it to seconds.
 */
const PARALLEL_READS = 8;

/** `work` for every item, at most `limit` at a time, results in the items' order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function readPlays(source: CuratedSource): Promise<PlayRecord[]> {
  const keys = await source.listCsvKeys('recently_played');
  const days = await mapLimited(keys, PARALLEL_READS, async (key) =>
    parsePlaysCsv(await source.readCsv(key), source.describe(key)),
  );
  return days.flat();
}
