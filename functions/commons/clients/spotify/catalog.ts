import type * as z from 'zod/mini';
import { SPOTIFY_LIMITS } from '../../constants';
import type { ApiShape, Enrichment } from '../../domain/staging-documents';
import { InvalidSpotifyPayload, SpotifyPlaylistNotAccessible } from '../../errors';
import { type SpotifyHttpClient, SpotifyRequestRefused } from './http-client';
import {
  countEntries,
  playlistItemsPageSchema,
  playlistSchema,
  severalArtistsSchema,
  severalAudioFeaturesSchema,
  type PlaylistItemsPage,
  type SpotifyPlaylist,
} from './schemas';

export interface PlaylistSnapshot {
  readonly playlist: SpotifyPlaylist;
  readonly itemPages: PlaylistItemsPage[];
  readonly apiShape: ApiShape;
}

/** What Extract needs from Spotify; the local runner and tests point it at a stand-in server. */
export interface SpotifyCatalog {
  fetchPlaylist(playlistId: string): Promise<PlaylistSnapshot>;
  fetchArtists(artistIds: readonly string[]): Promise<Enrichment<z.infer<typeof severalArtistsSchema>>>;
  fetchAudioFeatures(
    trackIds: readonly string[],
  ): Promise<Enrichment<z.infer<typeof severalAudioFeaturesSchema>>>;
}

const ITEMS_PATH: Record<ApiShape, { segment: string; limit: number }> = {
  items: { segment: 'items', limit: SPOTIFY_LIMITS.itemsPage },
  tracks: { segment: 'tracks', limit: SPOTIFY_LIMITS.legacyTracksPage },
};

export function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

function notAccessible(playlistId: string, refused: SpotifyRequestRefused): SpotifyPlaylistNotAccessible {
  return new SpotifyPlaylistNotAccessible(
    playlistId,
    refused.status,
    `Spotify refused playlist ${playlistId} (HTTP ${refused.status}: ${refused.detail}). ` +
      'Since 27 Nov 2024 new apps get 404 on Spotify-owned editorial playlists such as the Top 50, and since ' +
      'Feb/Mar 2026 development-mode apps may read items only of playlists their user owns or collaborates on. ' +
      'Fix: use an app with extended quota; or switch to user-token mode (npm run spotify:authorize) with a ' +
      'playlist that user owns or follows as collaborator; or check the playlist id and choose another.',
  );
}

/** The playlists/artists/audio-features part of the Web API, in the largest batches it allows. */
export class WebApiCatalog implements SpotifyCatalog {
  /** Which items endpoint works, learned on the first playlist and kept for the rest of the run. */
  private itemsShape?: ApiShape;

  constructor(private readonly http: SpotifyHttpClient) {}

  async fetchPlaylist(playlistId: string): Promise<PlaylistSnapshot> {
    const id = encodeURIComponent(playlistId);
    let playlist: SpotifyPlaylist;
    try {
      playlist = await this.http.getJson('playlist', `/v1/playlists/${id}`, playlistSchema);
    } catch (error) {
      if (error instanceof SpotifyRequestRefused) throw notAccessible(playlistId, error);
      throw error;
    }

    // The playlist object embeds its first page of entries: under `tracks` (legacy) or `items` (2026).
    const embedded = this.embeddedFirstPage(playlist);
    const first = embedded ?? (await this.fetchFirstPage(playlistId));
    const itemPages = [first.page];
    const seen = new Set<string>();
    let next = first.page.next;
    while (next) {
      // A proxy that hands back a link twice, or more pages than entries, would page forever.
      if (seen.has(next) || itemPages.length > first.page.total) {
        throw new InvalidSpotifyPayload(
          `Spotify's paging for playlist ${playlistId} does not end (${itemPages.length} pages for ${first.page.total} entries); retry later.`,
        );
      }
      seen.add(next);
      try {
        const page = await this.http.getJson('playlist_items', next, playlistItemsPageSchema);
        itemPages.push(page);
        next = page.next;
      } catch (error) {
        if (error instanceof SpotifyRequestRefused) throw notAccessible(playlistId, error);
        throw error;
      }
    }
    const received = countEntries(itemPages);
    if (received !== first.page.total) {
      // The playlist changed while we paged, or an answer was cut short: a partial chart is not a snapshot.
      throw new InvalidSpotifyPayload(
        `Spotify announced ${first.page.total} entries for playlist ${playlistId} but returned ${received}; ` +
          'the playlist probably changed during the run. Retry the execution.',
      );
    }
    return { playlist, itemPages, apiShape: first.shape };
  }

  private embeddedFirstPage(
    playlist: SpotifyPlaylist,
  ): { page: PlaylistItemsPage; shape: ApiShape } | undefined {
    const items = playlistItemsPageSchema.safeParse(playlist.items);
    if (items.success) return { page: items.data, shape: 'items' };
    const tracks = playlistItemsPageSchema.safeParse(playlist.tracks);
    if (tracks.success) return { page: tracks.data, shape: 'tracks' };
    return undefined;
  }

  private async fetchFirstPage(playlistId: string): Promise<{ page: PlaylistItemsPage; shape: ApiShape }> {
    const shapes: ApiShape[] = this.itemsShape ? [this.itemsShape] : ['items', 'tracks'];
    let refusal: SpotifyRequestRefused | undefined;
    for (const shape of shapes) {
      const { segment, limit } = ITEMS_PATH[shape];
      try {
        const path = `/v1/playlists/${encodeURIComponent(playlistId)}/${segment}?limit=${limit}&offset=0`;
        const page = await this.http.getJson('playlist_items', path, playlistItemsPageSchema);
        this.itemsShape = shape;
        return { page, shape };
      } catch (error) {
        if (!(error instanceof SpotifyRequestRefused)) throw error;
        refusal ??= error;
        // 404 on /items means an API without the 2026 path; 403 on /tracks means the 2026 API. Try the other.
      }
    }
    throw notAccessible(
      playlistId,
      refusal ?? new SpotifyRequestRefused(404, 'playlist_items', playlistId, 'no items'),
    );
  }

  fetchArtists(artistIds: readonly string[]) {
    return this.enrich(
      artistIds,
      SPOTIFY_LIMITS.severalArtists,
      'artists',
      '/v1/artists',
      severalArtistsSchema,
    );
  }

  fetchAudioFeatures(trackIds: readonly string[]) {
    return this.enrich(
      trackIds,
      SPOTIFY_LIMITS.audioFeatures,
      'audio_features',
      '/v1/audio-features',
      severalAudioFeaturesSchema,
    );
  }

  /** Batches ids at the API's maximum; a refusal (any 4xx) leaves the enrichment unavailable, not the run failed. */
  private async enrich<T>(
    ids: readonly string[],
    batchSize: number,
    endpoint: 'artists' | 'audio_features',
    path: string,
    schema: z.ZodMiniType<T>,
  ): Promise<Enrichment<T>> {
    if (ids.length === 0) return { status: 'not_needed' };
    const responses: T[] = [];
    for (const batch of chunk(ids, batchSize)) {
      try {
        responses.push(
          await this.http.getJson(endpoint, `${path}?ids=${batch.map(encodeURIComponent).join(',')}`, schema),
        );
      } catch (error) {
        if (!(error instanceof SpotifyRequestRefused)) throw error;
        return { status: 'unavailable', httpStatus: error.status, reason: error.detail };
      }
    }
    return { status: 'ok', responses };
  }
}
