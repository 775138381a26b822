import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import {
  countEntries,
  playlistEntrySchema,
  type PlaylistItemsPage,
} from '../commons/clients/spotify/schemas';
import type { ObjectStore } from '../commons/clients/object-store';
import { keys } from '../commons/domain/keys';
import type { RunParameters } from '../commons/domain/run';
import {
  rawPlaylistDocumentSchema,
  type ApiShape,
  type RawPlaylistDocument,
} from '../commons/domain/staging-documents';
import { PipelineError, SpotifyPlaylistNotAccessible, InvalidSpotifyPayload } from '../commons/errors';

export interface ExtractedPlaylist {
  readonly playlistId: string;
  readonly rawKey: string;
  readonly items: number;
  readonly apiShape: ApiShape;
  /** Staged by an earlier attempt of this execution and reused. */
  readonly resumed: boolean;
}

export interface FailedPlaylist {
  readonly playlistId: string;
  readonly error: string;
  readonly cause: string;
}

export interface ExtractOutcome {
  readonly playlists: ExtractedPlaylist[];
  readonly failed: FailedPlaylist[];
}

/** Errors that concern one playlist; anything else (auth, rate limit, outage) concerns the whole run. */
const isPlaylistScoped = (error: unknown): error is PipelineError =>
  error instanceof SpotifyPlaylistNotAccessible || error instanceof InvalidSpotifyPayload;

/** Ids of identifiable tracks in the pages; what enrichment is asked for (skipped entries are not). */
export function enrichmentIds(pages: readonly PlaylistItemsPage[]): {
  trackIds: string[];
  artistIds: string[];
} {
  const trackIds = new Set<string>();
  const artistIds = new Set<string>();
  for (const page of pages) {
    for (const raw of page.items) {
      // Entries that do not parse are skipped (and counted) by Transform; they need no enrichment.
      const parsed = playlistEntrySchema.safeParse(raw);
      if (!parsed.success) continue;
      const entry = parsed.data;
      const payload = entry.item ?? entry.track;
      if (!payload || payload.type !== 'track' || payload.is_local === true || entry.is_local === true)
        continue;
      if (payload.id) trackIds.add(payload.id);
      for (const artist of payload.artists) if (artist.id) artistIds.add(artist.id);
    }
  }
  return { trackIds: [...trackIds], artistIds: [...artistIds] };
}

/**
 * A playlist this run already staged (an earlier attempt that Step Functions retried) is not
 * fetched again: retries after a rate limit or an outage resume where the last attempt stopped.
 */
async function alreadyStaged(
  store: ObjectStore,
  rawKey: string,
  playlistId: string,
): Promise<ExtractedPlaylist | undefined> {
  const text = await store.getText(rawKey);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // a damaged object is fetched again and overwritten
  }
  const staged = rawPlaylistDocumentSchema.safeParse(json);
  if (!staged.success) return undefined;
  const items = countEntries(staged.data.itemPages);
  return { playlistId, rawKey, items, apiShape: staged.data.apiShape, resumed: true };
}

async function extractOne(
  catalog: SpotifyCatalog,
  store: ObjectStore,
  run: RunParameters,
  playlistId: string,
  now: () => Date,
): Promise<ExtractedPlaylist> {
  const rawKey = keys.raw(run.snapshotDate, run.runId, playlistId);
  const resumed = await alreadyStaged(store, rawKey, playlistId);
  if (resumed) return resumed;
  const snapshot = await catalog.fetchPlaylist(playlistId);
  const { trackIds, artistIds } = enrichmentIds(snapshot.itemPages);
  const artists = await catalog.fetchArtists(artistIds);
  const audioFeatures = await catalog.fetchAudioFeatures(trackIds);
  const document: RawPlaylistDocument = {
    schemaVersion: 1,
    snapshotDate: run.snapshotDate,
    playlistId,
    fetchedAt: now().toISOString(),
    apiShape: snapshot.apiShape,
    playlist: snapshot.playlist,
    itemPages: snapshot.itemPages,
    artists,
    audioFeatures,
  };
  await store.putText(rawKey, JSON.stringify(document), { contentType: 'application/json' });
  const items = countEntries(snapshot.itemPages);
  return { playlistId, rawKey, items, apiShape: snapshot.apiShape, resumed: false };
}

/**
 * Fetches each playlist in turn (Spotify's rate limit is per app, so parallel calls buy little) and
 * stages its payloads. A failure that concerns one playlist is recorded and the others go on; if
 * every playlist fails, the first failure is the step's error.
 */
export async function extractPlaylists(
  deps: { catalog: SpotifyCatalog; store: ObjectStore; now?: () => Date },
  run: RunParameters,
): Promise<ExtractOutcome> {
  const now = deps.now ?? (() => new Date());
  const playlists: ExtractedPlaylist[] = [];
  const failed: FailedPlaylist[] = [];
  let firstFailure: unknown;
  for (const playlistId of run.playlistIds) {
    try {
      playlists.push(await extractOne(deps.catalog, deps.store, run, playlistId, now));
    } catch (error) {
      if (!isPlaylistScoped(error)) throw error;
      firstFailure ??= error;
      failed.push({ playlistId, error: error.name, cause: error.message });
    }
  }
  if (playlists.length === 0) throw firstFailure;
  return { playlists, failed };
}
