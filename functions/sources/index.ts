import type { FetchedKind, SourceKind } from '../commons/domain/sources';
import type { SourceAdapter, SourceReader } from './adapter';
import { playlistAdapter } from './playlist';
import { recentlyPlayedAdapter } from './recently-played';
import { streamingHistoryReader } from './streaming-history';
import { topTracksAdapter } from './top-tracks';

const ADAPTERS: Record<FetchedKind, SourceAdapter> = {
  playlist: playlistAdapter,
  top_tracks: topTracksAdapter,
  recently_played: recentlyPlayedAdapter,
};

const READERS: Record<SourceKind, SourceReader> = { ...ADAPTERS, streaming_history: streamingHistoryReader };

/** Extract: the adapter that fetches a kind from Spotify. */
export const adapterFor = (kind: FetchedKind): SourceAdapter => ADAPTERS[kind];
/** Transform: what reads a kind's raw payload back, fetched or imported. */
export const readerFor = (kind: SourceKind): SourceReader => READERS[kind];
export type { FetchedSource, ReadSource, SourceAdapter, SourceReader } from './adapter';
