import {
  artistById,
  latestPlays,
  prng,
  sampleTrack,
  type ListeningOptions,
  type SampleTrack,
} from './sample-data';

/**
 * A synthetic "Extended streaming history" export of the stand-in user, shaped like Spotify's
 * (the fields and their order as in public exports, privacy fields included): older listening the
 * API never showed, the API's last plays as the export reports them (time stamps to the second, a
 * few seconds off), skips, podcast episodes, an audiobook chapter, private-session plays and one
 * malformed element. Deterministic for a given listening and export time.
 */
export interface SampleExportFile {
  readonly name: string;
  readonly elements: unknown[];
}

/** What the sample puts in the fields an import must never keep. */
export const SAMPLE_PRIVATE_VALUES = {
  username: 'stand-in-listener-77',
  ip_addr: '198.51.100.23',
  user_agent_decrypted: 'Mozilla%2F5.0%20(stand-in)',
} as const;

const PLATFORMS = ['android', 'ios', 'windows', 'web_player linux;chrome 141;desktop'];

function exportTime(date: Date): string {
  // The export writes whole seconds, without milliseconds.
  return `${date.toISOString().slice(0, 19)}Z`;
}

function trackElement(
  track: SampleTrack,
  endedAt: Date,
  listened: { msPlayed: number; skipped: boolean; shuffle: boolean; platform: string; incognito?: boolean },
) {
  return {
    ts: exportTime(endedAt),
    username: SAMPLE_PRIVATE_VALUES.username,
    platform: listened.platform,
    ms_played: listened.msPlayed,
    conn_country: 'DE',
    ip_addr: SAMPLE_PRIVATE_VALUES.ip_addr,
    user_agent_decrypted: SAMPLE_PRIVATE_VALUES.user_agent_decrypted,
    master_metadata_track_name: track.name,
    master_metadata_album_artist_name: artistById(track.artistIds[0] ?? '')?.name ?? 'Unknown',
    master_metadata_album_album_name: track.album.name,
    spotify_track_uri: `spotify:track:${track.id}`,
    episode_name: null,
    episode_show_name: null,
    spotify_episode_uri: null,
    audiobook_title: null,
    audiobook_uri: null,
    audiobook_chapter_uri: null,
    audiobook_chapter_title: null,
    reason_start: listened.skipped ? 'clickrow' : 'trackdone',
    reason_end: listened.skipped ? 'fwdbtn' : 'trackdone',
    shuffle: listened.shuffle,
    skipped: listened.skipped,
    offline: false,
    offline_timestamp: Math.floor(endedAt.getTime() / 1000) - 200,
    incognito_mode: listened.incognito ?? false,
  };
}

function episodeElement(endedAt: Date, index: number) {
  return {
    ...trackElement(sampleTrack(0), endedAt, {
      msPlayed: 1_200_000,
      skipped: false,
      shuffle: false,
      platform: 'ios',
    }),
    master_metadata_track_name: null,
    master_metadata_album_artist_name: null,
    master_metadata_album_album_name: null,
    spotify_track_uri: null,
    episode_name: `Episode ${index}`,
    episode_show_name: 'The Stand-in Show',
    spotify_episode_uri: `spotify:episode:${'0'.repeat(20)}${String(index).padStart(2, '0')}`,
  };
}

function audiobookElement(endedAt: Date) {
  return {
    ...episodeElement(endedAt, 0),
    episode_name: null,
    episode_show_name: null,
    spotify_episode_uri: null,
    audiobook_title: 'A Stand-in Story',
    audiobook_uri: `spotify:show:${'1'.repeat(22)}`,
    audiobook_chapter_uri: `spotify:episode:${'2'.repeat(22)}`,
    audiobook_chapter_title: 'Chapter 1',
  };
}

/**
 * The export as Spotify would send it at `exportedAt`: `historyDays` days of older listening (five
 * plays a day) before the API history starts, then the API's last 50 plays before `exportedAt`.
 */
export function sampleExport(options: {
  readonly listening: ListeningOptions;
  readonly exportedAt: Date;
  readonly historyDays?: number;
}): SampleExportFile[] {
  const historyDays = options.historyDays ?? 60;
  const random = prng(4242);
  const older: unknown[] = [];
  for (let day = historyDays; day >= 1; day -= 1) {
    for (const [slot, hour] of [8, 12, 17, 20, 22].entries()) {
      const endedAt = new Date(
        options.listening.startAt.getTime() -
          day * 86_400_000 +
          hour * 3_600_000 +
          Math.floor(random() * 3_000_000),
      );
      const n = older.length;
      if (n % 37 === 5) {
        older.push(episodeElement(endedAt, n % 100));
        continue;
      }
      if (n === 101) {
        older.push(audiobookElement(endedAt));
        continue;
      }
      const track = sampleTrack(Math.floor(random() * 70));
      const skipped = (n + slot) % 7 === 0;
      older.push(
        trackElement(track, endedAt, {
          msPlayed: skipped
            ? 4_000 + Math.floor(random() * 20_000)
            : track.durationMs - Math.floor(random() * 4_000),
          skipped,
          shuffle: n % 3 === 0,
          platform: PLATFORMS[n % PLATFORMS.length] ?? 'android',
          incognito: n % 53 === 17,
        }),
      );
    }
  }
  // The plays the API also reported, as the export stamps them: to the second, up to 2 s earlier.
  const overlap = latestPlays(options.listening, options.exportedAt)
    .reverse()
    .map((play, n) =>
      trackElement(play.track, new Date(play.playedAt.getTime() - (n % 3) * 1000), {
        msPlayed: play.track.durationMs - 1_500,
        skipped: false,
        shuffle: n % 2 === 0,
        platform: 'android',
      }),
    );
  const half = Math.floor(older.length / 2);
  const first = older.slice(0, half);
  const second = [...older.slice(half), ...overlap];
  // One element that is not a play (ts missing): skipped and counted, not fatal.
  second.splice(7, 0, { ...trackElementShape(second[6]), ts: undefined });
  const videoAt = (hours: number) => new Date(options.exportedAt.getTime() - hours * 3_600_000);
  return [
    { name: 'Streaming_History_Audio_2026_0.json', elements: first },
    { name: 'Streaming_History_Audio_2026_1.json', elements: second },
    {
      name: 'Streaming_History_Video_2026.json',
      elements: [episodeElement(videoAt(30), 90), episodeElement(videoAt(20), 91)],
    },
  ];
}

function trackElementShape(element: unknown): Record<string, unknown> {
  return typeof element === 'object' && element !== null ? { ...element } : {};
}

/** The files as Spotify writes them: a JSON array, pretty-printed. */
export function exportFileText(file: SampleExportFile): string {
  return `${JSON.stringify(file.elements, null, 2)}\n`;
}
