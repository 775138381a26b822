import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/constants';
import {
  chartFor,
  DEFAULT_USER_ID,
  OTHER_USERS,
  spotifyId,
  SPOTIFY_USER,
  type SampleTrack,
} from './sample-data';

/**
 * A playlist the stand-in serves: who owns it, who may edit it, whether it is Spotify's own
 * (editorial/algorithmic: hidden from development-mode apps) and, per snapshot date, its entries.
 */
export interface PlaylistFixture {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  /** The owner's user id (`spotify` for editorial playlists). */
  readonly owner: string;
  readonly collaborative: boolean;
  /** User ids that may edit a collaborative playlist (the owner aside). */
  readonly collaborators?: readonly string[];
  /** Spotify-owned editorial or algorithmic playlist (Top 50 charts, Made For You). */
  readonly editorial?: boolean;
  readonly public: boolean;
  /** Whether the stand-in user follows it (it then shows in GET /me/playlists). */
  readonly followedByUser?: boolean;
  readonly followers?: number;
  readonly entries: (date: string) => PlaylistEntryFixture[];
}

/** An entry as the stand-in renders it: a sample track, or one of the awkward kinds real playlists hold. */
export type PlaylistEntryFixture =
  | { kind: 'track'; track: SampleTrack }
  /** A removed track: `item: null`. */
  | { kind: 'null' }
  | { kind: 'local'; name: string }
  | { kind: 'episode'; name: string }
  /** Not playable in the user's market: `is_playable: false`, `restrictions.reason: 'market'`. */
  | { kind: 'unavailable'; track: SampleTrack }
  /** Not the documented shape (a track without artists or album). */
  | { kind: 'malformed'; name: string };

const chart = (size: number, salt: number) => (date: string) =>
  chartFor(date, size, salt).map((track): PlaylistEntryFixture => ({ kind: 'track', track }));

const MARA = OTHER_USERS[0]?.id ?? 'mara.listens';

export const SAMPLE_PLAYLIST_IDS = {
  /** Editorial (Spotify's real id): 404 for development-mode apps. */
  global: TOP_50_GLOBAL_PLAYLIST_ID,
  /** Editorial country charts (invented ids). */
  japan: spotifyId('playlist', 1),
  brazil: spotifyId('playlist', 2),
  /** Owned by the stand-in user, public. */
  weeklyPicks: spotifyId('playlist', 3),
  /** Owned by the stand-in user, private (needs `playlist-read-private`). */
  drafts: spotifyId('playlist', 4),
  /** Owned by someone else; the stand-in user collaborates (needs `playlist-read-collaborative`). */
  roadTrip: spotifyId('playlist', 5),
  /** Public, owned by someone else, followed by the stand-in user: metadata only in development mode. */
  lateNight: spotifyId('playlist', 6),
};

const editorial = (id: string, name: string, salt: number, followedByUser = false): PlaylistFixture => ({
  id,
  name,
  description: 'Your daily update of the most played tracks right now (sample).',
  owner: SPOTIFY_USER.id,
  collaborative: false,
  editorial: true,
  public: true,
  followedByUser,
  followers: 51_234_567,
  entries: chart(50, salt),
});

/**
 * The sample library: three editorial Top 50 charts, two playlists of the stand-in user (one
 * private), a collaborative one and someone else's public one the user follows.
 */
export function samplePlaylists(userId: string = DEFAULT_USER_ID): Map<string, PlaylistFixture> {
  const fixtures: PlaylistFixture[] = [
    editorial(SAMPLE_PLAYLIST_IDS.global, 'Top 50 - Global', 0, true),
    editorial(SAMPLE_PLAYLIST_IDS.japan, 'Top 50 - Japan (sample)', 2.1),
    editorial(SAMPLE_PLAYLIST_IDS.brazil, 'Top 50 - Brazil, "Sample"', 4.2),
    {
      id: SAMPLE_PLAYLIST_IDS.weeklyPicks,
      name: 'My weekly picks',
      description: 'What I play on repeat, refreshed on Sundays.',
      owner: userId,
      collaborative: false,
      public: true,
      followers: 3,
      entries: chart(30, 7.7),
    },
    {
      id: SAMPLE_PLAYLIST_IDS.drafts,
      name: 'Drafts, do not share',
      description: null,
      owner: userId,
      collaborative: false,
      public: false,
      followers: 0,
      entries: chart(12, 9.1),
    },
    {
      id: SAMPLE_PLAYLIST_IDS.roadTrip,
      name: 'Road trip 🚗 (collab)',
      description: 'Add yours!',
      owner: MARA,
      collaborative: true,
      collaborators: [userId],
      public: false,
      followedByUser: true,
      followers: 2,
      entries: chart(40, 3.3),
    },
    {
      id: SAMPLE_PLAYLIST_IDS.lateNight,
      name: "Mara's late-night mix",
      description: 'Low lights, lower tempo.',
      owner: MARA,
      collaborative: false,
      public: true,
      followedByUser: true,
      followers: 1_204,
      entries: chart(25, 5.5),
    },
  ];
  return new Map(fixtures.map((fixture) => [fixture.id, fixture]));
}

export type PlaylistFixtureOptions = Partial<Omit<PlaylistFixture, 'id' | 'entries'>>;

/** A playlist of `size` sample tracks, for paging and load tests; owned by the stand-in user unless told. */
export function sizedPlaylist(
  id: string,
  size: number,
  options: PlaylistFixtureOptions = {},
): PlaylistFixture {
  return {
    id,
    name: `Sample playlist of ${size}`,
    owner: DEFAULT_USER_ID,
    collaborative: false,
    public: true,
    ...options,
    entries: chart(size, 0),
  };
}

/**
 * The Top 50 sample with the awkward entries real playlists hold, at known positions (1-based);
 * owned by the stand-in user unless told.
 */
export function playlistWithOddEntries(
  id: string,
  date: string,
  options: PlaylistFixtureOptions = {},
): PlaylistFixture {
  const tracks = chartFor(date, 50);
  const entries = (): PlaylistEntryFixture[] => {
    const list: PlaylistEntryFixture[] = tracks.map((track) => ({ kind: 'track', track }));
    const first = tracks[0];
    const second = tracks[1];
    if (!first || !second) return list;
    list.splice(2, 0, { kind: 'null' }); // position 3
    list.splice(5, 0, { kind: 'local', name: 'My demo, take 2.mp3' }); // position 6
    list.splice(9, 0, { kind: 'episode', name: 'Chart talk #12' }); // position 10
    list.splice(12, 0, { kind: 'unavailable', track: second }); // position 13
    list.splice(20, 0, { kind: 'track', track: first }); // position 21, a duplicate of position 1
    list.splice(29, 0, { kind: 'malformed', name: 'Half a track' }); // position 30
    return list;
  };
  return {
    id,
    name: 'Top 50 with odd entries',
    owner: DEFAULT_USER_ID,
    collaborative: false,
    public: true,
    ...options,
    entries,
  };
}
