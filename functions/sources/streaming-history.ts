import * as z from 'zod/mini';
import '../commons/validation';
import { isSnapshotDate } from '../commons/domain/snapshot-date';
import { NO_ENRICHMENTS, type SourceEntry, type Track } from '../commons/domain/tracks';
import { ExportFileInvalid } from '../commons/errors';
import type { ReadSource, SourceReader } from './adapter';

/**
 * Spotify's "Extended streaming history" export: JSON files of plays the user downloads from the
 * account's privacy page. This module is the only place that knows the export's shape. An import
 * keeps an allow-list of its fields: `username`, `ip_addr`, `user_agent_decrypted` and anything
 * Spotify adds later are never read, so they cannot reach the archive, the datasets or a log.
 */

/** Spotify splits exports into files of about 12 MB; a bound well above that keeps a Lambda's memory safe. */
export const MAX_EXPORT_FILE_BYTES = 32 * 1024 * 1024;
/**
 * Every file's outcome travels in the execution's state (at most 256 KB): 60 files keep it under
 * about half of that. A ten-year export is about 20 files.
 */
export const MAX_EXPORT_FILES = 60;
/** More malformed elements than this share means the file is not an export (or a damaged one). */
export const MAX_MALFORMED_SHARE = 0.05;

export const STREAMING_HISTORY_NAME = 'Your streaming history (export)';

/**
 * `Streaming_History_Audio_2019-2021_3.json`, `Streaming_History_Video_2020-2024.json` and the
 * older `endsong_0.json` / `endvideo.json`. The account-data export's `StreamingHistory0.json`,
 * `StreamingHistory_music_0.json` and `StreamingHistory_podcast_0.json` have no track ids.
 */
const EXPORT_FILE_NAME =
  /^(?:Streaming_History_(?:Audio|Video)_[A-Za-z0-9_-]*|endsong(?:_\d+)?|endvideo(?:_\d+)?)\.json$/;
const ACCOUNT_DATA_FILE_NAME = /^StreamingHistory(?:_music|_podcast)?_?\d*\.json$/;

export type ExportFileNameKind = 'export' | 'account_data' | 'other';

export function exportFileNameKind(fileName: string): ExportFileNameKind {
  if (EXPORT_FILE_NAME.test(fileName)) return 'export';
  return ACCOUNT_DATA_FILE_NAME.test(fileName) ? 'account_data' : 'other';
}

export const ACCOUNT_DATA_HINT =
  'That is the "Account data" streaming history (endTime, artistName, trackName, msPlayed), which has no ' +
  'track ids. Request "Extended streaming history" on spotify.com/account/privacy and import its ' +
  'Streaming_History_Audio_*.json files (or the whole zip).';

/** Why a file name is refused, or undefined for an export's file name. */
export function fileNameProblem(fileName: string): string | undefined {
  switch (exportFileNameKind(fileName)) {
    case 'export':
      return undefined;
    case 'account_data':
      return `${fileName}: ${ACCOUNT_DATA_HINT}`;
    case 'other':
      return (
        `${fileName} is not named like a file of the streaming-history export ` +
        '(Streaming_History_Audio_*.json, Streaming_History_Video_*.json, or endsong_*.json in older exports)'
      );
  }
}

const optionalText = z.optional(z.nullable(z.string()));
const optionalFlag = z.optional(z.nullable(z.boolean()));

/**
 * What an import keeps of one play: the export's own field names, privacy fields left out. A zod
 * object drops the keys it does not list, so this schema is the allow-list itself.
 */
export const archivedPlaySchema = z.object({
  ts: z.string(),
  ms_played: z.int().check(z.minimum(0)),
  platform: optionalText,
  conn_country: optionalText,
  master_metadata_track_name: optionalText,
  master_metadata_album_artist_name: optionalText,
  master_metadata_album_album_name: optionalText,
  spotify_track_uri: optionalText,
  spotify_episode_uri: optionalText,
  audiobook_chapter_uri: optionalText,
  audiobook_uri: optionalText,
  reason_start: optionalText,
  reason_end: optionalText,
  shuffle: optionalFlag,
  skipped: optionalFlag,
  offline: optionalFlag,
  offline_timestamp: z.optional(z.nullable(z.number())),
  incognito_mode: optionalFlag,
});
export type ArchivedPlay = z.infer<typeof archivedPlaySchema>;

export interface DroppedElements {
  /** Not a play of the documented shape (skipped and counted, at most MAX_MALFORMED_SHARE of a file). */
  readonly invalid: number;
  /** Played in a private session, and the import was not asked to include those. */
  readonly incognito: number;
}

export interface ExportFileContents {
  readonly plays: ArchivedPlay[];
  /** Elements in the file, dropped ones included. */
  readonly elements: number;
  readonly dropped: DroppedElements;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How Spotify writes `ts`: UTC, to the second (older exports), sometimes with milliseconds. */
const EXPORT_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/;
/** No play can predate Spotify (public since October 2008; the Athena projection starts 2008-01-01). */
const EARLIEST_PLAY_MS = Date.UTC(2008, 0, 1);
/** A play ends before its export is made; a day's slack covers devices whose clocks run ahead. */
const FUTURE_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * Why a `ts` cannot be a play's end, or undefined if it can. `Date.parse` alone would read
 * 2026-02-30 as 2026-03-02, and a play dated 2099 or 1999 would become a day that never was.
 */
function timestampProblem(ts: string, now: Date): string | undefined {
  const parts = EXPORT_TIMESTAMP.exec(ts);
  if (!parts) return 'ts is not a UTC date and time like 2024-03-01T10:00:00Z';
  const [, date = '', hour, minute, second] = parts;
  if (!isSnapshotDate(date) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return 'ts is not a real calendar date and time';
  }
  const time = Date.parse(ts);
  if (time < EARLIEST_PLAY_MS) return 'ts is before 2008, when Spotify did not exist yet';
  if (time > now.getTime() + FUTURE_SLACK_MS) return 'ts is in the future';
  return undefined;
}

/** One element as a kept play, or what is wrong with it in words that never repeat its values. */
function parseElement(element: unknown, now: Date): { play: ArchivedPlay } | { problem: string } {
  if (!isRecord(element)) {
    const what = element === null ? 'null' : Array.isArray(element) ? 'an array' : `a ${typeof element}`;
    return { problem: `it is ${what}, not an object` };
  }
  const parsed = archivedPlaySchema.safeParse(element);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return { problem: `${issue?.path.join('.') || 'element'}: ${issue?.message ?? 'not a play'}` };
  }
  const problem = timestampProblem(parsed.data.ts, now);
  if (problem) return { problem };
  return { play: parsed.data };
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A file's bytes as JSON: Spotify writes UTF-8, so anything else is not its export. */
export function parseExportFileBytes(fileName: string, bytes: Uint8Array): unknown {
  const refuse = (why: string) =>
    new ExportFileInvalid(
      `${fileName} is not a usable streaming-history export: ${why}. Nothing was imported.`,
    );
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw refuse("it is not UTF-8 text (Spotify's files are)");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw refuse(`it is not JSON${error instanceof SyntaxError ? ` (${error.message.slice(0, 120)})` : ''}`);
  }
}

/**
 * Checks one parsed export file and keeps what the import may keep. A file that is not an export
 * fails whole (ExportFileInvalid, naming the file and an element); a few odd elements among many
 * are dropped and counted.
 */
export function readExportFile(
  fileName: string,
  json: unknown,
  options: {
    readonly includeIncognito: boolean;
    /** The import's time: no play may end much after it. */
    readonly now: Date;
  },
): ExportFileContents {
  const refuse = (why: string) =>
    new ExportFileInvalid(
      `${fileName} is not a usable streaming-history export: ${why}. Nothing was imported.`,
    );
  if (!Array.isArray(json)) {
    throw refuse(
      `it holds ${isRecord(json) ? 'a JSON object' : `JSON ${typeof json}`}, not an array of plays`,
    );
  }
  const elements: readonly unknown[] = json;
  const [first] = elements;
  if (isRecord(first) && 'endTime' in first && 'msPlayed' in first && !('ts' in first)) {
    throw refuse(ACCOUNT_DATA_HINT);
  }
  const plays: ArchivedPlay[] = [];
  let invalid = 0;
  let incognito = 0;
  let firstProblem: { index: number; problem: string } | undefined;
  elements.forEach((element, index) => {
    const parsed = parseElement(element, options.now);
    if ('problem' in parsed) {
      invalid += 1;
      firstProblem ??= { index, problem: parsed.problem };
      return;
    }
    const { play } = parsed;
    if (play.incognito_mode === true && !options.includeIncognito) incognito += 1;
    else plays.push(play);
  });
  if (firstProblem && invalid > elements.length * MAX_MALFORMED_SHARE) {
    throw refuse(
      `${invalid} of its ${elements.length} elements are not plays (element ${firstProblem.index} is the first: ` +
        `${firstProblem.problem}); a file may have at most ${MAX_MALFORMED_SHARE * 100}% of those`,
    );
  }
  return { plays, elements: elements.length, dropped: { invalid, incognito } };
}

/** What the raw archive holds for one imported file (the payload of its raw document). */
export const importedFilePayloadSchema = z.object({
  file: z.string(),
  plays: z.array(archivedPlaySchema),
  dropped: z.object({ invalid: z.number(), incognito: z.number() }),
});
export type ImportedFilePayload = z.infer<typeof importedFilePayloadSchema>;

const TRACK_URI = /^spotify:track:([A-Za-z0-9]{22})$/;

function entryOf(play: ArchivedPlay): SourceEntry {
  if (play.spotify_episode_uri) return { kind: 'skip', reason: 'episode' };
  if (play.audiobook_chapter_uri || play.audiobook_uri) return { kind: 'skip', reason: 'audiobook' };
  // Spotify leaves the uri and names empty for content it no longer has.
  if (!play.spotify_track_uri) return { kind: 'skip', reason: 'unavailable' };
  const id = TRACK_URI.exec(play.spotify_track_uri)?.[1];
  if (id === undefined) return { kind: 'skip', reason: 'invalid' };
  const albumArtist = play.master_metadata_album_artist_name ?? '';
  const track: Track = {
    id,
    name: play.master_metadata_track_name ?? '',
    // The export names only the album's artist, without an id.
    artists: albumArtist === '' ? [] : [{ id: null, name: albumArtist }],
    album: {
      id: null,
      name: play.master_metadata_album_album_name ?? null,
      type: null,
      releaseDate: null,
      totalTracks: null,
    },
    durationMs: null,
    explicit: null,
    popularity: null,
    isrc: null,
    url: `https://open.spotify.com/track/${id}`,
  };
  return {
    kind: 'track',
    track,
    addedAt: null,
    playedAt: play.ts,
    context: null,
    listening: {
      msPlayed: play.ms_played,
      reasonStart: play.reason_start ?? null,
      reasonEnd: play.reason_end ?? null,
      shuffle: play.shuffle ?? null,
      skipped: play.skipped ?? null,
      offline: play.offline ?? null,
      connCountry: play.conn_country ?? null,
      platform: play.platform ?? null,
    },
  };
}

/** `export:streaming-history`: an archived file's plays as entries; what the import dropped is counted. */
export const streamingHistoryReader: SourceReader = {
  read(payload: unknown): ReadSource | { problem: string } {
    const parsed = importedFilePayloadSchema.safeParse(payload);
    if (!parsed.success) return { problem: z.prettifyError(parsed.error).slice(0, 300) };
    const { plays, dropped } = parsed.data;
    const entries: SourceEntry[] = [
      ...Array.from({ length: dropped.invalid }, (): SourceEntry => ({ kind: 'skip', reason: 'invalid' })),
      ...Array.from({ length: dropped.incognito }, (): SourceEntry => ({
        kind: 'skip',
        reason: 'incognito',
      })),
      ...plays.map(entryOf),
    ];
    return { sourceName: STREAMING_HISTORY_NAME, entries, enrichments: NO_ENRICHMENTS };
  },
};
