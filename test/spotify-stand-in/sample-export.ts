import {
  artistById,
  latestPlays,
  prng,
  sampleTrack,
  spotifyId,
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

/** What one element of the export says about a play of a track, before Spotify's field layout. */
interface ExportedPlay {
  readonly track: SampleTrack;
  readonly endedAt: Date;
  readonly msPlayed: number;
  readonly platform: string;
  readonly connCountry: string;
  readonly ipAddr: string;
  readonly userAgent: string;
  readonly reasonStart: string;
  readonly reasonEnd: string;
  readonly shuffle: boolean;
  /** Early exports did not say (null). */
  readonly skipped: boolean | null;
  readonly offline: boolean;
  readonly offlineTimestamp: number;
  readonly incognito: boolean;
}

/** One element in the fields and order of Spotify's export, the privacy fields included. */
function exportElement(play: ExportedPlay) {
  return {
    ts: exportTime(play.endedAt),
    username: SAMPLE_PRIVATE_VALUES.username,
    platform: play.platform,
    ms_played: play.msPlayed,
    conn_country: play.connCountry,
    ip_addr: play.ipAddr,
    user_agent_decrypted: play.userAgent,
    master_metadata_track_name: play.track.name,
    master_metadata_album_artist_name: artistById(play.track.artistIds[0] ?? '')?.name ?? 'Unknown',
    master_metadata_album_album_name: play.track.album.name,
    spotify_track_uri: `spotify:track:${play.track.id}`,
    episode_name: null,
    episode_show_name: null,
    spotify_episode_uri: null,
    audiobook_title: null,
    audiobook_uri: null,
    audiobook_chapter_uri: null,
    audiobook_chapter_title: null,
    reason_start: play.reasonStart,
    reason_end: play.reasonEnd,
    shuffle: play.shuffle,
    skipped: play.skipped,
    offline: play.offline,
    offline_timestamp: play.offlineTimestamp,
    incognito_mode: play.incognito,
  };
}

/** The same element for something that is not a track (an episode, a chapter, removed content). */
function withoutTrack(element: ReturnType<typeof exportElement>) {
  return {
    ...element,
    master_metadata_track_name: null,
    master_metadata_album_artist_name: null,
    master_metadata_album_album_name: null,
    spotify_track_uri: null,
  };
}

function trackElement(
  track: SampleTrack,
  endedAt: Date,
  listened: { msPlayed: number; skipped: boolean; shuffle: boolean; platform: string; incognito?: boolean },
) {
  return exportElement({
    track,
    endedAt,
    msPlayed: listened.msPlayed,
    platform: listened.platform,
    connCountry: 'DE',
    ipAddr: SAMPLE_PRIVATE_VALUES.ip_addr,
    userAgent: SAMPLE_PRIVATE_VALUES.user_agent_decrypted,
    reasonStart: listened.skipped ? 'clickrow' : 'trackdone',
    reasonEnd: listened.skipped ? 'fwdbtn' : 'trackdone',
    shuffle: listened.shuffle,
    skipped: listened.skipped,
    offline: false,
    offlineTimestamp: Math.floor(endedAt.getTime() / 1000) - 200,
    incognito: listened.incognito ?? false,
  });
}

function episodeElement(endedAt: Date, index: number) {
  return {
    ...withoutTrack(
      trackElement(sampleTrack(0), endedAt, {
        msPlayed: 1_200_000,
        skipped: false,
        shuffle: false,
        platform: 'ios',
      }),
    ),
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

/**
 * A long "Extended streaming history" export, as a heavy listener's ten years of it would come:
 * one file per even share of the plays, in time order, each named after the years it spans
 * (`Streaming_History_Audio_2016-2017_3.json`). Listening grows over the years and follows the
 * week and the day (sessions, mostly in the evening, a few days without any); tastes drift from era
 * to era across a catalogue of thousands of tracks, with favourites that keep coming back. Every
 * documented field is present, the privacy ones included (documentation IP addresses, real-looking
 * user agents); podcast episodes, now and then an audiobook chapter or a track Spotify no longer
 * has, private-session plays, skips (`skipped` is null in the early years, as in real exports) and
 * a few malformed elements per file. Deterministic for the same options.
 */
export interface LargeExportOptions {
  readonly years: number;
  /** Elements over all files (plays, episodes and the few malformed ones). */
  readonly plays: number;
  readonly files: number;
  /** The export's newest play is on the day before; default 2026-01-31. */
  readonly endAt?: Date;
  readonly seed?: number;
}

/** One file of a large export: its name and extent now, its elements only when built. */
export interface LargeExportFile {
  readonly name: string;
  readonly index: number;
  readonly elements: number;
  /** UTC days of its first and last element (YYYY-MM-DD). */
  readonly firstDay: string;
  readonly lastDay: string;
  /** The file's elements, generated on demand (so only one file at a time needs to be in memory). */
  build(): SampleExportFile;
}

const DAY_MS = 86_400_000;
const LARGE_CATALOGUE = 6_000;

/** Platform strings as Spotify wrote them: long descriptions in older plays, short names in newer ones. */
const OLD_PLATFORMS = [
  'Android OS 9 API 28 (samsung, SM-G960F)',
  'Android OS 11 API 30 (Google, Pixel 4a)',
  'iOS 12.4.1 (iPhone10,4)',
  'Windows 10 (10.0.17763; x64)',
  'OS X 10.14.6 [x86 4]',
  'web_player windows 10;chrome 79.0.3945.130;desktop',
  'Partner sonos_ppc Sonos;Play:1;;',
];
const NEW_PLATFORMS = ['android', 'ios', 'windows', 'osx', 'web_player linux;chrome 141;desktop', 'android'];
const USER_AGENTS = [
  'unknown',
  'Mozilla%2F5.0%20(Windows%20NT%2010.0%3B%20Win64%3B%20x64)%20AppleWebKit%2F537.36%20(KHTML%2C%20like%20Gecko)%20Chrome%2F120.0.0.0%20Safari%2F537.36',
  'Spotify%2F8.9.2%20Android%2F33%20(Pixel%207)',
  'Mozilla%2F5.0%20(Macintosh%3B%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit%2F605.1.15%20(KHTML%2C%20like%20Gecko)%20Version%2F17.1%20Safari%2F605.1.15',
  'Spotify%2F1.2.26.1187%20Win32_x86_64%2F0%20(PC%20desktop)',
];
const REASONS_START = [
  'trackdone',
  'trackdone',
  'trackdone',
  'clickrow',
  'fwdbtn',
  'playbtn',
  'appload',
  'backbtn',
];
const REASONS_END_SKIPPED = ['fwdbtn', 'fwdbtn', 'backbtn', 'endplay', 'clickrow'];
const REASONS_END_DONE = [
  'trackdone',
  'trackdone',
  'trackdone',
  'trackdone',
  'endplay',
  'logout',
  'unexpected-exit',
];
const COUNTRIES = ['DE', 'DE', 'DE', 'DE', 'DE', 'DE', 'DE', 'DE', 'FR', 'ES', 'GB', 'US', 'IT', 'NL'];
const EPISODE_TITLES = ['On Listening', 'Ten Years Later', 'Q&A, Part 2', 'Live from Berlin', 'Notes'];

const SHOWS = [
  'The Stand-in Show',
  'Daily Sample News',
  'Lorem Ipsum Radio',
  'Café & Code',
  'Nordlicht Talk',
];

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const pick = <T>(list: readonly T[], random: () => number, fallback: T): T =>
  list[Math.floor(random() * list.length)] ?? fallback;

/** Plays per day: growing over the years, more at weekends, noisy, and now and then none at all. */
function dailyCounts(days: number, plays: number, random: () => number): number[] {
  const weights: number[] = [];
  let pause = 0;
  for (let day = 0; day < days; day += 1) {
    if (pause > 0) pause -= 1;
    else if (random() < 0.004) pause = 3 + Math.floor(random() * 10);
    const weekday = (day + 4) % 7;
    const weekend = weekday === 5 || weekday === 6 ? 1.35 : 1;
    const growth = 0.75 + (0.5 * day) / days;
    weights.push(pause > 0 || random() < 0.05 ? 0 : growth * weekend * (0.3 + random() * 1.4));
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let cumulative = 0;
  let given = 0;
  return weights.map((weight) => {
    cumulative += weight;
    const upTo = Math.round((plays * cumulative) / total);
    const count = upTo - given;
    given = upTo;
    return count;
  });
}

/** The tracks someone favours in a year or so of listening: a drifting window of the catalogue. */
function trackIndexOf(day: number, random: () => number): number {
  const era = Math.floor(day / 400);
  const favourite = random() < 0.35;
  const spread = favourite ? 60 : 2_500;
  const offset = Math.floor(spread * random() ** 2);
  return (era * 531 + (favourite ? Math.floor(day / 45) * 7 : 0) + offset) % LARGE_CATALOGUE;
}

/** Day `day` of the export (days since its start), its `count` elements in time order. */
function dayElements(startMs: number, day: number, count: number, seed: number, years: number): unknown[] {
  const random = prng(seed * 100_003 + day);
  const dayStart = startMs + day * DAY_MS;
  const late = day / (years * 365.25) > 0.55;
  // First what is played (and how long), then when: the day's sessions spread over 06:30-24:00.
  const listened = Array.from({ length: count }, () => {
    const track = sampleTrack(trackIndexOf(day, random));
    const roll = random();
    const skipped = roll < 0.22;
    const episode = roll > 0.97;
    const msPlayed = episode
      ? 60_000 + Math.floor(random() * 2_400_000)
      : skipped
        ? Math.floor(random() * 30_000)
        : roll < 0.3
          ? Math.floor(track.durationMs * random())
          : track.durationMs - Math.floor(random() * 3_000);
    return { track, roll, skipped, episode, msPlayed, gapMs: 1_000 + Math.floor(random() * 4_000) };
  });
  const sessionStarts = new Set<number>([0]);
  for (let n = 3 + Math.floor(random() * 25); n < count; n += 3 + Math.floor(random() * 25))
    sessionStarts.add(n);
  const breaks = Array.from({ length: sessionStarts.size }, () => 0.2 + random());
  const window = 17.5 * 3_600_000;
  const busy = listened.reduce((sum, play) => sum + play.msPlayed + play.gapMs, 0);
  const idle = Math.max(0, window - busy);
  const breakUnit = idle / breaks.reduce((sum, weight) => sum + weight, 1);
  const elements: unknown[] = [];
  let at = dayStart + 6.5 * 3_600_000 - Math.max(0, busy - window);
  let session = 0;
  listened.forEach(({ track, roll, skipped, episode, msPlayed, gapMs }, n) => {
    if (sessionStarts.has(n)) {
      at += (breaks[session] ?? 0) * breakUnit;
      session += 1;
    }
    at += msPlayed + gapMs;
    const endedAt = new Date(Math.min(at, dayStart + DAY_MS - (count - n) * 1_000));
    const platformIndex = Math.floor(day / 200 + random() * 2);
    const platform = late
      ? (NEW_PLATFORMS[platformIndex % NEW_PLATFORMS.length] ?? 'android')
      : (OLD_PLATFORMS[platformIndex % OLD_PLATFORMS.length] ?? 'android');
    const offline = random() < 0.04;
    const month = Math.floor(day / 30);
    // Drawn in the order the element's fields come, so the seeded sequence stays the same.
    const connCountry = random() < 0.93 ? 'DE' : pick(COUNTRIES, random, 'DE');
    const reasonStart = pick(REASONS_START, random, 'trackdone');
    const reasonEnd = skipped
      ? pick(REASONS_END_SKIPPED, random, 'fwdbtn')
      : pick(REASONS_END_DONE, random, 'trackdone');
    const shuffle = random() < 0.45;
    const incognito = random() < 0.004;
    const element = exportElement({
      track,
      endedAt,
      msPlayed,
      platform,
      connCountry,
      ipAddr:
        month % 3 === 0
          ? `2001:db8:${(month * 37) % 65_536}:${day % 97}::${(month % 250) + 1}`
          : `${month % 2 === 0 ? '198.51.100' : '203.0.113'}.${((month * 13) % 254) + 1}`,
      userAgent:
        USER_AGENTS[(platformIndex + (platform.startsWith('web') ? 1 : 0)) % USER_AGENTS.length] ?? 'unknown',
      reasonStart,
      reasonEnd,
      shuffle,
      // Early exports did not say whether a play was skipped.
      skipped: day < 900 ? null : skipped,
      offline,
      offlineTimestamp: offline
        ? Math.floor(endedAt.getTime() / 1000) - 3_600
        : Math.floor(endedAt.getTime() / 1000),
      incognito,
    });
    if (episode) {
      const show = Math.floor(random() * SHOWS.length);
      elements.push({
        ...withoutTrack(element),
        episode_name: `Episode ${day % 400}: ${pick(EPISODE_TITLES, random, 'Notes')}`,
        episode_show_name: SHOWS[show] ?? 'The Stand-in Show',
        spotify_episode_uri: `spotify:episode:${spotifyId('episode', show * 1_000 + (day % 400))}`,
      });
    } else if (roll > 0.9695) {
      elements.push({
        ...withoutTrack(element),
        audiobook_title: 'A Stand-in Story',
        audiobook_uri: `spotify:show:${spotifyId('audiobook', 1)}`,
        audiobook_chapter_uri: `spotify:episode:${spotifyId('chapter', day % 40)}`,
        audiobook_chapter_title: `Chapter ${(day % 40) + 1}`,
      });
    } else if (roll > 0.969) {
      // Content Spotify no longer has: no names, no uri.
      elements.push(withoutTrack(element));
    } else elements.push(element);
  });
  return elements;
}

export function largeExport(options: LargeExportOptions): LargeExportFile[] {
  const seed = options.seed ?? 2026;
  const endMs = Date.parse(utcDay((options.endAt ?? new Date('2026-01-31T00:00:00Z')).getTime()));
  const days = Math.round(options.years * 365.25);
  const startMs = endMs - days * DAY_MS;
  const counts = dailyCounts(days, options.plays, prng(seed));
  // Element i of the export is in file floor(i * files / plays); each file knows its days.
  const firstOfDay: number[] = [];
  let total = 0;
  for (const count of counts) {
    firstOfDay.push(total);
    total += count;
  }
  const dayOf = (element: number) => {
    let low = 0;
    let high = counts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((firstOfDay[middle] ?? 0) <= element) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  return Array.from({ length: options.files }, (_, index) => {
    const from = Math.ceil((index * total) / options.files);
    const to = Math.ceil(((index + 1) * total) / options.files);
    const firstDayIndex = dayOf(from);
    const lastDayIndex = dayOf(to - 1);
    const firstYear = utcDay(startMs + firstDayIndex * DAY_MS).slice(0, 4);
    const lastYear = utcDay(startMs + lastDayIndex * DAY_MS).slice(0, 4);
    const years = firstYear === lastYear ? firstYear : `${firstYear}-${lastYear}`;
    const name = `Streaming_History_Audio_${years}_${index}.json`;
    return {
      name,
      index,
      elements: to - from,
      firstDay: utcDay(startMs + firstDayIndex * DAY_MS),
      lastDay: utcDay(startMs + lastDayIndex * DAY_MS),
      build: () => {
        const elements: unknown[] = [];
        for (let day = firstDayIndex; day <= lastDayIndex; day += 1) {
          const all = dayElements(startMs, day, counts[day] ?? 0, seed, options.years);
          const first = firstOfDay[day] ?? 0;
          elements.push(...all.slice(Math.max(0, from - first), Math.max(0, to - first)));
        }
        // A few elements that are not plays, as damaged exports have: skipped and counted.
        const random = prng(seed + 7 * index + 1);
        for (const damage of ['no ts', 'ms_played negative', 'null'] as const) {
          const at = Math.floor(random() * elements.length);
          const like = trackElementShape(elements[at]);
          elements[at] =
            damage === 'null'
              ? null
              : damage === 'no ts'
                ? { ...like, ts: undefined }
                : { ...like, ms_played: -1 };
        }
        return { name, elements };
      },
    };
  });
}
