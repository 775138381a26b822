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

/** Turns a raw payload of one kind into entries (Transform), so a replay never needs Spotify. */
export interface SourceReader {
  /** A payload that is not this kind's shape is a `problem`, not an exception. */
  read(payload: unknown, source: SourceRef): ReadSource | { problem: string };
}

/**
 * One adapter per kind of source Spotify's Web API serves: `fetch` talks to Spotify (Extract),
 * `read` turns the raw payload it kept into entries (Transform).
 */
export interface SourceAdapter extends SourceReader {
  fetch(catalog: SpotifyCatalog, source: SourceRef, context: FetchContext): Promise<FetchedSource>;
}
