import * as z from 'zod/mini';
import '../commons/validation';
import { utcDateOf } from '../commons/domain/snapshot-date';
import {
  cleanText,
  countCorrections,
  emptyCorrectionCounts,
  emptySkipCounts,
  usableTrack,
  type SourceEntry,
} from '../commons/domain/tracks';
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
  const corrected = emptyCorrectionCounts();
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
    const { listening } = entry;
    const record: PlayRecord = {
      played_at: playedAt,
      ...trackCells(track),
      context_type: entry.context?.type ?? null,
      context_uri: entry.context?.uri ?? null,
      source: listening ? 'export' : 'api',
      ms_played: listening?.msPlayed ?? null,
      reason_start: listening?.reasonStart ?? null,
      reason_end: listening?.reasonEnd ?? null,
      shuffle: listening?.shuffle ?? null,
      skipped: listening?.skipped ?? null,
      offline: listening?.offline ?? null,
      conn_country: listening?.connCountry ?? null,
      platform: listening ? cleanText(listening.platform ?? '') || null : null,
      played_date: utcDateOf(new Date(playedAt)),
    };
    const key = playKey(record);
    if (byKey.has(key)) skipped.duplicate += 1;
    else {
      byKey.set(key, record);
      countCorrections(corrected, track);
    }
  }
  return { records: [...byKey.values()], itemsSeen: entries.length, skipped, corrected };
}

/**
 * How far apart the API's and the export's time stamps of one play may be. Both stamp the end of
 * the play (`played_at`, spotify/web-api#613; `ts`, Spotify's "Understanding my data"), the export
 * to the second and the API to the millisecond, so one play's two stamps differ by under a second
 * plus clock skew between Spotify's systems. Thirty seconds covers that with room, and is shorter
 * than any two plays of one track can be apart when the first was listened to for 30 s or more.
 */
export const PLAY_MATCH_TOLERANCE_MS = 30_000;

/** How the plays given to `mergePlays` changed a day. */
export interface MergeStats {
  /** Rows the day did not have. */
  readonly added: number;
  /** API rows that gained an export's listening fields (or export rows an API play's catalog fields). */
  readonly mergedWithApi: number;
  /** Plays the day already held as they are. */
  readonly alreadyPresent: number;
}

/** Rows of both origins: what the export tells (listening) joined to what the API tells (catalog). */
const hasListening = (play: PlayRecord) => play.source === 'export';
/** The export never names an album id: a row with one carries the API's catalog fields. */
const hasCatalog = (play: PlayRecord) => play.album_id !== null;
const isJoined = (play: PlayRecord) => hasListening(play) && hasCatalog(play);

/**
 * One play reported twice: the listening fields (and the time stamp) of the export's report, the
 * catalog fields (all credited artists, ids, album, duration, context) of the API's, and for a
 * tie the row already published, so that merging a play again never changes it.
 */
export function combinePlays(current: PlayRecord, other: PlayRecord): PlayRecord {
  const listening = hasListening(current) || !hasListening(other) ? current : other;
  const catalog = hasCatalog(current) || !hasCatalog(other) ? current : other;
  return {
    ...catalog,
    played_at: listening.played_at,
    played_date: listening.played_date,
    source: listening.source,
    ms_played: listening.ms_played,
    reason_start: listening.reason_start,
    reason_end: listening.reason_end,
    shuffle: listening.shuffle,
    skipped: listening.skipped,
    offline: listening.offline,
    conn_country: listening.conn_country,
    platform: listening.platform,
  };
}

const byTime = (a: PlayRecord, b: PlayRecord) =>
  a.played_at === b.played_at ? a.track_id.localeCompare(b.track_id) : a.played_at < b.played_at ? -1 : 1;

/**
 * Pairs each API-only row with the export row of the same track nearest in time, within the
 * tolerance, one to one, nearest pairs first: a track played twice in a row stays two plays.
 */
function joinAcrossOrigins(plays: readonly PlayRecord[]): PlayRecord[] {
  const byTrack = new Map<string, PlayRecord[]>();
  for (const play of plays) {
    const group = byTrack.get(play.track_id);
    if (group) group.push(play);
    else byTrack.set(play.track_id, [play]);
  }
  const result: PlayRecord[] = [];
  for (const group of byTrack.values()) {
    const apiOnly = group.filter((play) => !hasListening(play));
    const exported = group.filter(hasListening);
    if (apiOnly.length === 0 || exported.length === 0) {
      result.push(...group);
      continue;
    }
    const pairs = apiOnly
      .flatMap((api, apiIndex) =>
        exported.map((play, exportIndex) => ({
          apiIndex,
          exportIndex,
          gap: Math.abs(Date.parse(api.played_at) - Date.parse(play.played_at)),
        })),
      )
      .filter((pair) => pair.gap <= PLAY_MATCH_TOLERANCE_MS)
      .sort((a, b) => a.gap - b.gap || a.exportIndex - b.exportIndex || a.apiIndex - b.apiIndex);
    const joinedApi = new Set<number>();
    const joinedExport = new Map<number, number>();
    for (const pair of pairs) {
      if (joinedApi.has(pair.apiIndex) || joinedExport.has(pair.exportIndex)) continue;
      joinedApi.add(pair.apiIndex);
      joinedExport.set(pair.exportIndex, pair.apiIndex);
    }
    exported.forEach((play, exportIndex) => {
      const apiIndex = joinedExport.get(exportIndex);
      const api = apiIndex === undefined ? undefined : apiOnly[apiIndex];
      result.push(api ? combinePlays(play, api) : play);
    });
    apiOnly.forEach((play, apiIndex) => {
      if (!joinedApi.has(apiIndex)) result.push(play);
    });
  }
  return result;
}

/**
 * Merges new plays into what a day already holds: every play once (the same end time and track,
 * or an API play and an export play of one track within PLAY_MATCH_TOLERANCE_MS), sorted by end
 * time so the file's bytes depend only on its plays, never on the order they arrived in.
 */
export function mergePlays(
  existing: readonly PlayRecord[],
  incoming: readonly PlayRecord[],
): { plays: PlayRecord[]; stats: MergeStats } {
  const byKey = new Map<string, PlayRecord>();
  for (const play of [...existing, ...incoming]) {
    const key = playKey(play);
    const current = byKey.get(key);
    byKey.set(key, current ? combinePlays(current, play) : play);
  }
  const plays = joinAcrossOrigins([...byKey.values()]).sort(byTime);
  const joinedBefore = existing.filter(isJoined).length;
  const added = plays.length - existing.length;
  const mergedWithApi = plays.filter(isJoined).length - joinedBefore;
  return {
    plays,
    stats: { added, mergedWithApi, alreadyPresent: incoming.length - added - mergedWithApi },
  };
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
