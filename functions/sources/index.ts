import type { SourceKind } from '../commons/domain/sources';
import type { SourceAdapter } from './adapter';
import { playlistAdapter } from './playlist';
import { recentlyPlayedAdapter } from './recently-played';
import { topTracksAdapter } from './top-tracks';

const ADAPTERS: Record<SourceKind, SourceAdapter> = {
  playlist: playlistAdapter,
  top_tracks: topTracksAdapter,
  recently_played: recentlyPlayedAdapter,
};

export const adapterFor = (kind: SourceKind): SourceAdapter => ADAPTERS[kind];
export type { FetchedSource, ReadSource, SourceAdapter } from './adapter';
