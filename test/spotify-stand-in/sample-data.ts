/**
 * A realistic, invented Top-50-style catalogue (no real people's data). Names deliberately include
 * commas, quotes, line breaks, emoji, CJK, right-to-left scripts and spreadsheet-formula lookalikes.
 * Ranks move from one date to the next, deterministically, so several dates make a real trend.
 */
export interface SampleArtist {
  readonly id: string;
  readonly name: string;
  readonly genres: string[];
  readonly popularity: number;
  readonly followers: number;
}

export interface SampleTrack {
  readonly id: string;
  readonly name: string;
  readonly artistIds: string[];
  readonly album: { id: string; name: string; albumType: string; releaseDate: string; totalTracks: number };
  readonly durationMs: number;
  readonly explicit: boolean;
  readonly popularity: number;
  readonly isrc: string;
  readonly features: Record<
    | 'danceability'
    | 'energy'
    | 'speechiness'
    | 'acousticness'
    | 'instrumentalness'
    | 'liveness'
    | 'valence'
    | 'tempo',
    number
  >;
  /** Chart strength: higher ranks better; combined with a per-date wobble. */
  readonly strength: number;
  readonly addedAt: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Small deterministic PRNG (mulberry32) so the sample never changes between machines. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function spotifyId(kind: string, index: number): string {
  const key = `${kind}:${index}`;
  let hash = 2166136261;
  for (let at = 0; at < key.length; at += 1) hash = Math.imul(hash ^ key.charCodeAt(at), 16777619);
  const random = prng(hash);
  return Array.from({ length: 22 }, () => BASE62[Math.floor(random() * 62)]).join('');
}

const ARTIST_NAMES = [
  'Luna Vale',
  'The Paper Kites of Ohio',
  'DJ Nørd',
  'Mara & The Moths',
  'Kenji Arai',
  '宇多田 ヒカリ (sample)',
  'Sol y Sombra',
  'Billie "Blue" Harper',
  'Ayo Okafor',
  'Nadia Haddad',
  'نور الهدى',
  'יעל כהן',
  'Crystal, Clear & Co.',
  'Renée Fontaine',
  'Big Tobi',
  'Sunny Park',
  '박서연',
  'Los Faroles',
  'Zed Zero',
  'Ivy Rowan',
  'The 4am Club',
  'Mateus Lima',
  'Freya North',
  'Kaito',
  'Ola Svensson',
  'Priya Raman',
  'Ghostlight',
  'Mina Lee',
  'Cato Brandt',
  'Élodie Marchand',
  'Rio Bravo',
  'Yara Moss',
  'K-Flow',
  'Tamsin Gray',
  'Ravi Shore',
  'Dani Flores',
  'Halcyon Days',
  'Omar Saleh',
  'Jules Verona',
  'Lior Ben-David',
  'Maya Quinn',
  'North of Nowhere',
  'Bea Kowalski',
  'Sami Laine',
  'Tokyo Drift Kids',
  '=Equals',
  'Ana Lúcia',
  'Felix Hart',
  'Indigo Bay',
  'Ruby Stone',
  'Ezra Cole',
  'Lea Sommer',
];

const GENRES = [
  'pop',
  'dance pop',
  'latin pop',
  'k-pop',
  'j-pop',
  'afrobeats',
  'hip hop',
  'r&b',
  'indie pop',
  'edm',
  'reggaeton',
  'alt rock',
  'arabic pop',
  'israeli pop',
  'uk drill',
  'bedroom pop',
];

const TRACK_NAMES = [
  'Midnight, Again',
  'Say "Yes"',
  'Golden Hour 🌅',
  '夜に駆ける (sample)',
  'حبيبي يا نور العين',
  'שיר של יום',
  'Line One\nLine Two',
  'Tab\tSeparated Feelings',
  '=SUM(A1:A9)',
  '+44 Calling',
  '-Minus Zero',
  '@ Your Door',
  'Neon Rain',
  'Paper Planes, Vol. 2',
  'Lights Out',
  'Électrique',
  'Rolling Stone Heart',
  'Cherry Cola',
  'Fever Dream',
  'Salt & Vinegar',
  'Run It Back',
  'Mañana',
  'Glass Houses',
  'Ocean Eyes, Ocean Mind',
  '봄날의 기억',
  'Starlight 💫',
  'Heatwave',
  'No Sleep Till Sunday',
  'Velvet',
  'Echoes',
  'Drive Slow',
  'Última Vez',
  'Sugar Rush',
  'Blue Monday Morning',
  'Wildfire',
  'Marigold',
  'Afterparty',
  'Satellite',
  'Lemonade Skies',
  'Daydreamer',
  'Polaroid',
  'City of Stars',
  'Tidal',
  'Runaway Train',
  'Moonwalk',
  'Rosé All Day',
  'Gravity',
  'Paradise, Lost & Found',
  'Kaleidoscope',
  'Thunder Road',
  'Honeycomb',
  'Sapphire',
  'Static',
  'Firefly',
  'Low Tide',
  'Origami',
  'Bittersweet',
  'Horizon',
  'Hologram',
  'Supernova',
];

const ALBUM_TYPES = ['single', 'album', 'single', 'compilation', 'single', 'album'];

export const SAMPLE_ARTISTS: SampleArtist[] = ARTIST_NAMES.map((name, index) => {
  const random = prng(1000 + index);
  return {
    id: spotifyId('artist', index),
    name,
    genres: [
      GENRES[index % GENRES.length] ?? 'pop',
      ...(index % 3 === 0 ? [GENRES[(index + 5) % GENRES.length] ?? 'pop'] : []),
    ],
    popularity: 55 + Math.floor(random() * 45),
    followers: Math.floor(random() * 40_000_000),
  };
});

/** Track `index` of the (unbounded) sample catalogue; names repeat with a suffix past the hand-written ones. */
export function sampleTrack(index: number): SampleTrack {
  const cached = trackCache.get(index);
  if (cached) return cached;
  const track = makeTrack(index);
  trackCache.set(index, track);
  trackIndex.set(track.id, track);
  return track;
}

const trackCache = new Map<number, SampleTrack>();
const trackIndex = new Map<string, SampleTrack>();

function makeTrack(index: number): SampleTrack {
  const base = TRACK_NAMES[index % TRACK_NAMES.length] ?? 'Untitled';
  const name =
    index < TRACK_NAMES.length ? base : `${base} (Take ${Math.floor(index / TRACK_NAMES.length) + 1})`;
  const random = prng(5000 + index);
  const artistCount = index % 7 === 0 ? 3 : index % 4 === 0 ? 2 : 1;
  const artistIds = Array.from(
    { length: artistCount },
    (_, offset) => SAMPLE_ARTISTS[(index * 3 + offset * 11) % SAMPLE_ARTISTS.length]?.id ?? '',
  );
  const year = 2024 + (index % 3);
  const month = String(1 + (index % 12)).padStart(2, '0');
  return {
    id: spotifyId('track', index),
    name,
    artistIds,
    album: {
      id: spotifyId('album', index),
      name: index % 5 === 0 ? `${name} (Deluxe, Remastered)` : name,
      albumType: ALBUM_TYPES[index % ALBUM_TYPES.length] ?? 'single',
      // Spotify gives release dates at year, month or day precision.
      releaseDate:
        index % 10 === 0
          ? String(year)
          : index % 10 === 1
            ? `${year}-${month}`
            : `${year}-${month}-${String(1 + (index % 28)).padStart(2, '0')}`,
      totalTracks: index % 6 === 1 ? 12 + (index % 9) : 1,
    },
    durationMs: 140_000 + Math.floor(random() * 120_000),
    explicit: index % 5 === 2,
    popularity: 60 + Math.floor(random() * 40),
    isrc: `QZ${String.fromCharCode(65 + (index % 26))}${String.fromCharCode(65 + ((index * 7) % 26))}2${String(4 + (index % 3))}${String(10000 + index * 37).slice(-5)}`,
    features: {
      danceability: round(0.35 + random() * 0.6),
      energy: round(0.3 + random() * 0.65),
      speechiness: round(0.02 + random() * 0.3),
      acousticness: round(random() * 0.8),
      instrumentalness: round(random() < 0.8 ? random() * 0.01 : random() * 0.6),
      liveness: round(0.05 + random() * 0.4),
      valence: round(0.1 + random() * 0.85),
      tempo: Math.round((75 + random() * 100) * 1000) / 1000,
    },
    strength: 100 - index * 1.2 + random() * 8,
    addedAt: `2026-0${1 + (index % 9)}-1${index % 10}T0${index % 10}:00:00Z`,
  };
}

export const SAMPLE_TRACKS: SampleTrack[] = TRACK_NAMES.map((_, index) => sampleTrack(index));

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** The chart for a date: the 50 strongest tracks once each track's strength wobbles for that day. */
export function chartFor(date: string, size = 50, salt = 0): SampleTrack[] {
  const day = dayNumber(date);
  const pool = Array.from({ length: Math.max(SAMPLE_TRACKS.length, size + 10) }, (_, index) =>
    sampleTrack(index),
  );
  const scored = pool.map((track, index) => {
    const wobble = Math.sin(day / (3 + (index % 5)) + index * 1.7 + salt) * 14;
    const trend = ((index % 9) - 4) * (day % 60) * 0.15;
    return { track, score: track.strength + wobble + trend };
  });
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, Math.min(size, scored.length)).map((entry) => entry.track);
}

/** Over what time frame Spotify computes a user's top items. */
export type TimeRange = 'short_term' | 'medium_term' | 'long_term';
export const TIME_RANGES: readonly TimeRange[] = ['short_term', 'medium_term', 'long_term'];

/**
 * The stand-in user's top tracks for a range on a date. Each range draws from its own part of the
 * catalogue and moves at its own pace (short_term daily, medium_term weekly, long_term monthly).
 */
export function topTracksFor(range: TimeRange, date: string, size = 50): SampleTrack[] {
  const day = dayNumber(date);
  const settings = {
    short_term: { start: 6, step: 1, salt: 11.1 },
    medium_term: { start: 18, step: 7, salt: 22.2 },
    long_term: { start: 30, step: 30, salt: 33.3 },
  }[range];
  const epoch = Math.floor(day / settings.step);
  const pool = Array.from({ length: size + 20 }, (_, offset) => sampleTrack(settings.start + offset));
  const scored = pool.map((track, index) => ({
    track,
    score: 100 - index * 1.1 + Math.sin(epoch / (2 + (index % 4)) + index * 2.3 + settings.salt) * 12,
  }));
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, size).map((entry) => entry.track);
}

/** Where a play happened: a playlist, an album or an artist page; `null` in a play means no context. */
export interface PlayContextFixture {
  readonly type: 'playlist' | 'album' | 'artist';
  readonly id: string;
}

export interface PlayFixture {
  readonly track: SampleTrack;
  readonly playedAt: Date;
  readonly context: PlayContextFixture | null;
}

/**
 * The stand-in user's listening: one play every `everyMinutes` from `startAt` on, for as long as the
 * clock runs (plays after the stand-in's `now()` have not happened yet), plus any `extraPlays` a test
 * adds. Deterministic: play number k is always the same track at the same millisecond.
 */
export interface ListeningOptions {
  startAt: Date;
  /** 0 turns the generated history off (only `extraPlays`). */
  everyMinutes: number;
  /** The context of generated plays that come from a playlist (e.g. the user's own). */
  playlistContextId: string;
  extraPlays: PlayFixture[];
}

export function generatedPlay(listening: ListeningOptions, k: number): PlayFixture {
  const random = prng(9000 + k);
  const track = sampleTrack(Math.floor(random() * 70));
  // A deterministic sub-minute offset, so played_at carries milliseconds and plays never tie.
  const offsetMs = (k * 7919) % 60_000;
  const playedAt = new Date(listening.startAt.getTime() + k * listening.everyMinutes * 60_000 + offsetMs);
  const kind = k % 5;
  const context: PlayContextFixture | null =
    kind === 0
      ? null
      : kind === 3
        ? { type: 'album', id: track.album.id }
        : kind === 4
          ? { type: 'artist', id: track.artistIds[0] ?? '' }
          : { type: 'playlist', id: listening.playlistContextId };
  return { track, playedAt, context };
}

/** The newest `count` plays at or before `now`, newest first (Spotify keeps only the last 50). */
export function latestPlays(listening: ListeningOptions, now: Date, count = 50): PlayFixture[] {
  const plays: PlayFixture[] = [];
  const intervalMs = listening.everyMinutes * 60_000;
  if (intervalMs > 0 && now.getTime() >= listening.startAt.getTime()) {
    let k = Math.floor((now.getTime() - listening.startAt.getTime()) / intervalMs);
    while (k >= 0 && plays.length < count + 1) {
      const play = generatedPlay(listening, k);
      if (play.playedAt.getTime() <= now.getTime()) plays.push(play);
      k -= 1;
    }
  }
  for (const play of listening.extraPlays) if (play.playedAt.getTime() <= now.getTime()) plays.push(play);
  plays.sort((a, b) => b.playedAt.getTime() - a.playedAt.getTime());
  return plays.slice(0, count);
}

/** A Spotify user: the stand-in's own user, Spotify (editorial owner) or another listener. */
export interface SampleUser {
  readonly id: string;
  readonly displayName: string | null;
}

export const DEFAULT_USER_ID = 'stand-in-user';
export const SPOTIFY_USER: SampleUser = { id: 'spotify', displayName: 'Spotify' };
export const OTHER_USERS: readonly SampleUser[] = [
  { id: 'mara.listens', displayName: 'Mara' },
  { id: '31kenjiarai0000000000000', displayName: null },
];

export function displayNameOf(userId: string, standInUser: SampleUser): string | null {
  if (userId === standInUser.id) return standInUser.displayName;
  if (userId === SPOTIFY_USER.id) return SPOTIFY_USER.displayName;
  return OTHER_USERS.find((user) => user.id === userId)?.displayName ?? null;
}

export function artistById(id: string): SampleArtist | undefined {
  return SAMPLE_ARTISTS.find((artist) => artist.id === id);
}

export function trackById(id: string): SampleTrack | undefined {
  return trackIndex.get(id);
}
