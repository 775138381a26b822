import * as z from 'zod/mini';
import '../commons/validation';
import { utcDateOf } from '../commons/domain/snapshot-date';
import { emptySkipCounts, usableTrack, type SourceEntry } from '../commons/domain/tracks';
import { column, TRACK_COLUMNS, type DatasetSpec } from './columns';
import type { BuiltRows } from './top-tracks';
import { trackCells } from './track-cells';

/**
 * `recently_played`: every play exactly once, partitioned by the UTC date the play ended. A play
 * is identified by when it ended and what was played: `(played_at, track_id)`. The export-only
 * columns (ms_played .. platform) are empty for plays the API reported.
 */
export const playRecordSchema = z.object({
  played_at: z.string(),
  track_id: z.string(),
  track_name: z.string(),
  artist_names: z.array(z.string()),
  artist_ids: z.array(z.nullable(z.string())),
  album_id: z.nullable(z.string()),
  album_name: z.nullable(z.string()),
  duration_ms: z.nullable(z.int()),
  explicit: z.nullable(z.boolean()),
  isrc: z.nullable(z.string()),
  track_url: z.nullable(z.string()),
  context_type: z.nullable(z.string()),
  context_uri: z.nullable(z.string()),
  source: z.enum(['api', 'export']),
  ms_played: z.nullable(z.int()),
  reason_start: z.nullable(z.string()),
  reason_end: z.nullable(z.string()),
  shuffle: z.nullable(z.boolean()),
  skipped: z.nullable(z.boolean()),
  offline: z.nullable(z.boolean()),
  conn_country: z.nullable(z.string()),
  platform: z.nullable(z.string()),
  played_date: z.string(),
});
export type PlayRecord = z.infer<typeof playRecordSchema>;
export type PlayColumn = keyof PlayRecord;

export const RECENTLY_PLAYED: DatasetSpec<PlayColumn> = {
  name: 'recently_played',
  partitionKey: 'played_date',
  columns: [
    column(
      'played_at',
      'string',
      'When the play ended, ISO 8601 UTC with milliseconds (from_iso8601_timestamp in Athena).',
    ),
    TRACK_COLUMNS.track_id,
    TRACK_COLUMNS.track_name,
    TRACK_COLUMNS.artist_names,
    TRACK_COLUMNS.artist_ids,
    TRACK_COLUMNS.album_id,
    TRACK_COLUMNS.album_name,
    TRACK_COLUMNS.duration_ms,
    TRACK_COLUMNS.explicit,
    TRACK_COLUMNS.isrc,
    TRACK_COLUMNS.track_url,
    column(
      'context_type',
      'string',
      'What the play was started from: playlist, album, artist, show; empty if unknown.',
    ),
    column('context_uri', 'string', 'Spotify URI of that context.'),
    column('source', 'string', 'api (Spotify Web API) or export (your streaming-history export).'),
    column('ms_played', 'int', 'Milliseconds listened (export only).'),
    column('reason_start', 'string', 'Why the play started (export only).'),
    column('reason_end', 'string', 'Why the play ended (export only).'),
    column('shuffle', 'boolean', 'Shuffle was on (export only).'),
    column('skipped', 'boolean', 'The track was skipped (export only).'),
    column('offline', 'boolean', 'Played offline (export only).'),
    column('conn_country', 'string', 'Country code of the connection (export only).'),
    column('platform', 'string', 'Device platform (export only).', { text: true }),
    column('played_date', 'date', 'UTC date of played_at; also the partition key (played_date=YYYY-MM-DD).'),
  ],
};

/** Spotify's `played_at` is ISO 8601 UTC; written back in one form so that equal instants are equal text. */
export function canonicalInstant(value: string): string | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

export const playKey = (play: Pick<PlayRecord, 'played_at' | 'track_id'>) =>
  `${play.played_at}|${play.track_id}`;

/** One row per play of a usable track; a play reported twice (same end time and track) is one row. */
export function playRows(entries: readonly SourceEntry[]): BuiltRows<PlayRecord> {
  const skipped = emptySkipCounts();
  const byKey = new Map<string, PlayRecord>();
  for (const entry of entries) {
    if (entry.kind === 'skip') {
      skipped[entry.reason] += 1;
      continue;
    }
    const { track } = entry;
    const unusable = usableTrack(track);
    const playedAt = entry.playedAt === null ? undefined : canonicalInstant(entry.playedAt);
    if (unusable || playedAt === undefined) {
      skipped[unusable ?? 'invalid'] += 1;
      continue;
    }
    const record: PlayRecord = {
      played_at: playedAt,
      ...trackCells(track),
      context_type: entry.context?.type ?? null,
      context_uri: entry.context?.uri ?? null,
      source: 'api',
      ms_played: null,
      reason_start: null,
      reason_end: null,
      shuffle: null,
      skipped: null,
      offline: null,
      conn_country: null,
      platform: null,
      played_date: utcDateOf(new Date(playedAt)),
    };
    const key = playKey(record);
    if (byKey.has(key)) skipped.duplicate += 1;
    else byKey.set(key, record);
  }
  return { records: [...byKey.values()], itemsSeen: entries.length, skipped };
}

/**
 * Merges new plays into what a day already holds: every play once, the richer (export) row when
 * both report it, sorted by end time so the file's bytes depend only on its plays.
 */
export function mergePlays(existing: readonly PlayRecord[], incoming: readonly PlayRecord[]): PlayRecord[] {
  const byKey = new Map<string, PlayRecord>();
  for (const play of [...existing, ...incoming]) {
    const key = playKey(play);
    const current = byKey.get(key);
    if (!current || (current.source === 'api' && play.source === 'export')) byKey.set(key, play);
  }
  return [...byKey.values()].sort((a, b) =>
    a.played_at === b.played_at ? a.track_id.localeCompare(b.track_id) : a.played_at < b.played_at ? -1 : 1,
  );
}

/** Plays grouped by the day partition they belong to. */
export function playsByDay(plays: readonly PlayRecord[]): Map<string, PlayRecord[]> {
  const days = new Map<string, PlayRecord[]>();
  for (const play of plays) {
    const day = days.get(play.played_date) ?? [];
    day.push(play);
    days.set(play.played_date, day);
  }
  return days;
}
