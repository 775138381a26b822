import { TOP_50_GLOBAL_PLAYLIST_ID } from '../../functions/commons/constants';
import { chartFor, spotifyId, type SampleTrack } from './sample-data';

/** A playlist the stand-in serves: its name and, per snapshot date, its entries in order. */
export interface PlaylistFixture {
  readonly id: string;
  readonly name: string;
  readonly entries: (date: string) => PlaylistEntryFixture[];
}

/** An entry as the stand-in renders it: a sample track, or one of the awkward kinds real playlists hold. */
export type PlaylistEntryFixture =
  | { kind: 'track'; track: SampleTrack }
  | { kind: 'null' }
  | { kind: 'local'; name: string }
  | { kind: 'episode'; name: string }
  | { kind: 'unavailable'; track: SampleTrack }
  /** Not the documented shape (a track without artists or album). */
  | { kind: 'malformed'; name: string };

const chart = (size: number, salt: number) => (date: string) =>
  chartFor(date, size, salt).map((track): PlaylistEntryFixture => ({ kind: 'track', track }));

export const SAMPLE_PLAYLIST_IDS = {
  global: TOP_50_GLOBAL_PLAYLIST_ID,
  japan: spotifyId('playlist', 1),
  brazil: spotifyId('playlist', 2),
};

/** The sample snapshot: Top 50 - Global (Spotify's real id) plus two invented country charts. */
export function samplePlaylists(): Map<string, PlaylistFixture> {
  const fixtures: PlaylistFixture[] = [
    { id: SAMPLE_PLAYLIST_IDS.global, name: 'Top 50 - Global', entries: chart(50, 0) },
    { id: SAMPLE_PLAYLIST_IDS.japan, name: 'Top 50 - Japan (sample)', entries: chart(50, 2.1) },
    { id: SAMPLE_PLAYLIST_IDS.brazil, name: 'Top 50 - Brazil, "Sample"', entries: chart(50, 4.2) },
  ];
  return new Map(fixtures.map((fixture) => [fixture.id, fixture]));
}

/** A playlist of `size` sample tracks, for paging and load tests. */
export function sizedPlaylist(id: string, size: number): PlaylistFixture {
  return { id, name: `Sample playlist of ${size}`, entries: chart(size, 0) };
}

/** The Top 50 sample with the awkward entries real playlists hold, at known positions (1-based). */
export function playlistWithOddEntries(id: string, date: string): PlaylistFixture {
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
  return { id, name: 'Top 50 with odd entries', entries };
}
