import type * as z from 'zod/mini';
import { SPOTIFY_LIMITS } from '../../constants';
import { InvalidSpotifyPayload, SpotifyPlaylistNotAccessible } from '../../errors';
import { type SpotifyHttpClient, SpotifyRequestRefused } from './http-client';
import {
  playlistItemsPageSchema,
  playlistSchema,
  recentlyPlayedPageSchema,
  severalArtistsSchema,
  severalAudioFeaturesSchema,
  topTracksPageSchema,
  type PlaylistItemsPage,
  type RecentlyPlayedPage,
  type SpotifyPlaylist,
  type TopTracksPage,
} from './schemas';

/** Which playlist-items endpoint answered: 2026 `/items` (entries under `item`) or legacy `/tracks`. */
export type ItemsPath = 'items' | 'tracks';

/** An enrichment either came back in full, was refused (and left its columns empty), or was not needed. */
export type Enrichment<T> =
  | { status: 'ok'; responses: T[] }
  | { status: 'unavailable'; httpStatus: number; reason: string }
  | { status: 'not_needed' };

export interface PlaylistSnapshot {
  readonly playlist: SpotifyPlaylist;
  readonly itemPages: PlaylistItemsPage[];
  readonly itemsPath: ItemsPath;
}

export type SeveralArtists = z.infer<typeof severalArtistsSchema>;
export type SeveralAudioFeatures = z.infer<typeof severalAudioFeaturesSchema>;

/**
 * The most entries any one source may have: the quality gate's default upper bound
 * (QUALITY_MAX_ROWS_PER_SOURCE), which is also the most a Spotify playlist can hold. A source can
 * never be published with more, so an answer that announces or brings more is not read further.
 */
export const MAX_ENTRIES_PER_SOURCE = 10_000;

/** The most pages a source of `maxEntries` takes at the smallest page size we ask for (50): 200. */
export function maxPagesFor(maxEntries: number): number {
  return Math.ceil(maxEntries / Math.min(...Object.values(ITEMS_PATH).map(({ limit }) => limit)));
}

export interface CatalogOptions {
  /** The most entries a source may have (default MAX_ENTRIES_PER_SOURCE); pages are capped from it. */
  readonly maxEntriesPerSource?: number;
}

/** What the source adapters need from Spotify; the local runner and tests point it at a stand-in server. */
export interface SpotifyCatalog {
  fetchPlaylist(playlistId: string): Promise<PlaylistSnapshot>;
  fetchTopTracks(timeRange: string): Promise<TopTracksPage>;
  fetchRecentlyPlayed(afterMs: number | undefined): Promise<RecentlyPlayedPage>;
  fetchArtists(artistIds: readonly string[]): Promise<Enrichment<SeveralArtists>>;
  fetchAudioFeatures(trackIds: readonly string[]): Promise<Enrichment<SeveralAudioFeatures>>;
}

const ITEMS_PATH: Record<ItemsPath, { limit: number }> = {
  items: { limit: SPOTIFY_LIMITS.itemsPage },
  tracks: { limit: SPOTIFY_LIMITS.legacyTracksPage },
};

/** The most pages any one source may take: MAX_ENTRIES_PER_SOURCE at 50 a page. */
export const MAX_PAGES_PER_SOURCE = maxPagesFor(MAX_ENTRIES_PER_SOURCE);

/**
 * Enrichment ids are one per track and per credited artist: a few artists a track at most, so more
 * than this many per entry allowed means a malformed answer, and the extras are left out.
 */
const MAX_ENRICHMENT_IDS_PER_ENTRY = 5;

export function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

function notAccessible(playlistId: string, refused: SpotifyRequestRefused): SpotifyPlaylistNotAccessible {
  const why =
    refused.status === 404
      ? 'Spotify answers 404 for its own editorial and algorithmic playlists (the Top 50 charts among them) ' +
        'to every app without extended quota since 27 Nov 2024, and for ids that do not exist.'
      : 'Development-mode apps may read the items only of playlists the authorized user owns or collaborates ' +
        'on (since Feb 2026), and an app token (client credentials) has no user, so it reads none.';
  return new SpotifyPlaylistNotAccessible(
    playlistId,
    refused.status,
    `Spotify refused playlist ${playlistId} (HTTP ${refused.status}: ${refused.detail}). ${why} ` +
      'Fix: switch to your own sources in user-token mode: run `npm run spotify:authorize`, then deploy with ' +
      '--param="spotifyAuthMode=user_token" --param="sources=me:top-tracks:short_term,me:top-tracks:medium_term,' +
      'me:top-tracks:long_term" (add playlist:<id> for playlists that user owns or collaborates on). ' +
      'Keep this playlist only with an extended-quota app.',
  );
}

/** Spotify's Web API, in the largest pages and batches it allows. */
export class WebApiCatalog implements SpotifyCatalog {
  /** Which items endpoint works, learned on the first playlist and kept for the rest of the invocation. */
  private itemsPath?: ItemsPath;
  /** An enrichment endpoint that refused once is not asked again while this container lives. */
  private static readonly refusedEnrichments = new Map<string, { httpStatus: number; reason: string }>();

  private readonly maxEntries: number;
  private readonly maxPages: number;

  constructor(
    private readonly http: SpotifyHttpClient,
    options: CatalogOptions = {},
  ) {
    this.maxEntries = options.maxEntriesPerSource ?? MAX_ENTRIES_PER_SOURCE;
    this.maxPages = maxPagesFor(this.maxEntries);
  }

  /** One page may not bring more entries than a whole source may have. */
  private checkEntries(what: string, entries: number): void {
    if (entries > this.maxEntries) {
      throw new InvalidSpotifyPayload(
        `Spotify's answer for ${what} brings ${entries} entries, more than a source may have ` +
          `(${this.maxEntries}, the quality bound); it is not read further.`,
      );
    }
  }

  async fetchPlaylist(playlistId: string): Promise<PlaylistSnapshot> {
    const id = encodeURIComponent(playlistId);
    let playlist: SpotifyPlaylist;
    try {
      playlist = await this.http.getJson('playlist', `/v1/playlists/${id}`, playlistSchema);
    } catch (error) {
      if (error instanceof SpotifyRequestRefused) throw notAccessible(playlistId, error);
      throw error;
    }

    // The playlist object embeds its first page of entries: under `items` (2026) or `tracks` (legacy).
    // Without one (development mode, not the user's playlist), asking /items is what tells why.
    const first = this.embeddedFirstPage(playlist) ?? (await this.fetchFirstPage(playlistId));
    const what = `playlist ${playlistId}`;
    // Spotify's `total` is only a claim: it bounds nothing until it is checked against our own bound.
    this.checkEntries(what, Math.max(first.page.total, first.page.items.length));
    const itemPages = [first.page];
    const seen = new Set<string>();
    let received = first.page.items.length;
    let next = first.page.next;
    while (next) {
      // A proxy that hands back a link twice, or fresh links forever, would page forever: at most
      // maxPages (the quality bound at the smallest page size) and never more pages than entries.
      if (seen.has(next) || itemPages.length > first.page.total || itemPages.length >= this.maxPages) {
        throw new InvalidSpotifyPayload(
          `Spotify's paging for playlist ${playlistId} does not end (${itemPages.length} pages for ` +
            `${first.page.total} entries, at most ${this.maxPages} pages allowed); retry later.`,
        );
      }
      seen.add(next);
      try {
        const page = await this.http.getJson('playlist_items', next, playlistItemsPageSchema);
        received += page.items.length;
        this.checkEntries(what, received);
        itemPages.push(page);
        next = page.next;
      } catch (error) {
        if (error instanceof SpotifyRequestRefused) throw notAccessible(playlistId, error);
        throw error;
      }
    }
    if (received !== first.page.total) {
      // The playlist changed while we paged, or an answer was cut short: a partial list is not a snapshot.
      throw new InvalidSpotifyPayload(
        `Spotify announced ${first.page.total} entries for playlist ${playlistId} but returned ${received}; ` +
          'the playlist probably changed during the run. Retry the execution.',
      );
    }
    return { playlist, itemPages, itemsPath: first.path };
  }

  private embeddedFirstPage(
    playlist: SpotifyPlaylist,
  ): { page: PlaylistItemsPage; path: ItemsPath } | undefined {
    const items = playlistItemsPageSchema.safeParse(playlist.items);
    if (items.success) return { page: items.data, path: 'items' };
    const tracks = playlistItemsPageSchema.safeParse(playlist.tracks);
    if (tracks.success) return { page: tracks.data, path: 'tracks' };
    return undefined;
  }

  private async fetchFirstPage(playlistId: string): Promise<{ page: PlaylistItemsPage; path: ItemsPath }> {
    const paths: ItemsPath[] = this.itemsPath ? [this.itemsPath] : ['items', 'tracks'];
    let refusal: SpotifyRequestRefused | undefined;
    for (const segment of paths) {
      try {
        const url = `/v1/playlists/${encodeURIComponent(playlistId)}/${segment}?limit=${ITEMS_PATH[segment].limit}&offset=0`;
        const page = await this.http.getJson('playlist_items', url, playlistItemsPageSchema);
        this.itemsPath = segment;
        return { page, path: segment };
      } catch (error) {
        if (!(error instanceof SpotifyRequestRefused)) throw error;
        refusal ??= error;
        // 403 on /items is the development-mode answer for someone else's playlist: /tracks cannot help.
        if (segment === 'items' && error.status === 403) break;
      }
    }
    throw notAccessible(
      playlistId,
      refusal ?? new SpotifyRequestRefused(404, 'playlist_items', playlistId, 'no items'),
    );
  }

  /** One page, its `next` not followed (a Top 50 is one page of 50). */
  async fetchTopTracks(timeRange: string): Promise<TopTracksPage> {
    const query = new URLSearchParams({ time_range: timeRange, limit: String(SPOTIFY_LIMITS.topTracks) });
    const page = await this.http.getJson(
      'top_tracks',
      `/v1/me/top/tracks?${query.toString()}`,
      topTracksPageSchema,
    );
    this.checkEntries(`top tracks (${timeRange})`, page.items.length);
    return page;
  }

  /**
   * Only the last 50 plays exist; `after` (Unix ms) asks for the ones after the last published play.
   * One page, its `next` not followed.
   */
  async fetchRecentlyPlayed(afterMs: number | undefined): Promise<RecentlyPlayedPage> {
    const query = new URLSearchParams({ limit: String(SPOTIFY_LIMITS.recentlyPlayed) });
    if (afterMs !== undefined) query.set('after', String(afterMs));
    const page = await this.http.getJson(
      'recently_played',
      `/v1/me/player/recently-played?${query.toString()}`,
      recentlyPlayedPageSchema,
    );
    this.checkEntries('recently played', page.items.length);
    return page;
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

  /**
   * Batches ids at the API's maximum. A refusal (any 4xx) or an answer that is not the documented
   * shape leaves the enrichment unavailable, not the source failed: these are extras.
   */
  private async enrich<T>(
    ids: readonly string[],
    batchSize: number,
    endpoint: 'artists' | 'audio_features',
    path: string,
    schema: z.ZodMiniType<T>,
  ): Promise<Enrichment<T>> {
    if (ids.length === 0) return { status: 'not_needed' };
    const refused = WebApiCatalog.refusedEnrichments.get(endpoint);
    if (refused) return { status: 'unavailable', ...refused };
    // The ids come from the answer: bound the requests they cost, as paging is bounded.
    const maxIds = this.maxEntries * MAX_ENRICHMENT_IDS_PER_ENTRY;
    if (ids.length > maxIds) {
      return { status: 'unavailable', httpStatus: 200, reason: `${ids.length} ids, more than ${maxIds}` };
    }
    const responses: T[] = [];
    for (const batch of chunk(ids, batchSize)) {
      try {
        responses.push(
          await this.http.getJson(endpoint, `${path}?ids=${batch.map(encodeURIComponent).join(',')}`, schema),
        );
      } catch (error) {
        if (error instanceof SpotifyRequestRefused) {
          const refusal = { httpStatus: error.status, reason: error.detail };
          WebApiCatalog.refusedEnrichments.set(endpoint, refusal);
          return { status: 'unavailable', ...refusal };
        }
        if (error instanceof InvalidSpotifyPayload) {
          return { status: 'unavailable', httpStatus: 200, reason: 'answer not in the documented shape' };
        }
        throw error;
      }
    }
    return { status: 'ok', responses };
  }

  /** Tests start each scenario as a fresh container would. */
  static forgetRefusals(): void {
    WebApiCatalog.refusedEnrichments.clear();
  }
}
