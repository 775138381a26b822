import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import type { SourceRef } from '../commons/domain/sources';
import type { Enrichments, SourceEntry } from '../commons/domain/tracks';

/** What Extract stages for a source: Spotify's payloads as received, and a little about them. */
export interface FetchedSource {
  readonly sourceName: string;
  /** How Spotify answered: `items` or `tracks` (playlists), `me` (the user's own data). */
  readonly apiMode: string;
  readonly payload: unknown;
  /** Positions the payload holds (skipped ones included). */
  readonly entries: number;
}

/** A staged payload read back as the pipeline's own entries. */
export interface ReadSource {
  readonly sourceName: string;
  readonly entries: SourceEntry[];
  readonly enrichments: Enrichments;
}

export interface FetchContext {
  /** Recently played: Unix ms of the newest play already published (the cursor). */
  readonly afterMs?: number;
}

/**
 * One adapter per kind of source: `fetch` talks to Spotify (Extract), `read` turns the staged
 * payload into entries (Transform), so that a replay of staged payloads never needs Spotify.
 */
export interface SourceAdapter {
  fetch(catalog: SpotifyCatalog, source: SourceRef, context: FetchContext): Promise<FetchedSource>;
  /** A payload that is not this adapter's shape is a `problem`, not an exception. */
  read(payload: unknown, source: SourceRef): ReadSource | { problem: string };
}
