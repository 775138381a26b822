import * as z from 'zod/mini';
import '../commons/validation';
import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import {
  playlistEntrySchema,
  playlistItemsPageSchema,
  playlistSchema,
  severalArtistsSchema,
  severalAudioFeaturesSchema,
} from '../commons/clients/spotify/schemas';
import type { SourceRef } from '../commons/domain/sources';
import type { SourceEntry } from '../commons/domain/tracks';
import type { SourceAdapter } from './adapter';
import { enrichmentIds, enrichmentSchema, toEnrichments, toEntry } from './wire';

const payloadSchema = z.object({
  playlist: playlistSchema,
  itemsPath: z.enum(['items', 'tracks']),
  itemPages: z.array(playlistItemsPageSchema),
  artists: enrichmentSchema(severalArtistsSchema),
  audioFeatures: enrichmentSchema(severalAudioFeaturesSchema),
});
type PlaylistPayload = z.infer<typeof payloadSchema>;

/** `track` (legacy `/tracks`) or `item` (2026 `/items`) carries the entry's track. */
function entriesOf(pages: PlaylistPayload['itemPages']): SourceEntry[] {
  return pages.flatMap((page) =>
    page.items.map((raw): SourceEntry => {
      if (raw === null) return { kind: 'skip', reason: 'null_item' };
      const parsed = playlistEntrySchema.safeParse(raw);
      if (!parsed.success) return { kind: 'skip', reason: 'invalid' };
      const entry = parsed.data;
      return toEntry(
        entry.item ?? entry.track ?? null,
        { addedAt: entry.added_at ?? null, playedAt: null, context: null },
        entry.is_local === true,
      );
    }),
  );
}

async function fetchPlaylist(catalog: SpotifyCatalog, source: SourceRef) {
  const snapshot = await catalog.fetchPlaylist(source.playlistId ?? '');
  const entries = entriesOf(snapshot.itemPages);
  const { trackIds, artistIds } = enrichmentIds(entries);
  const artists = await catalog.fetchArtists(artistIds);
  const audioFeatures = await catalog.fetchAudioFeatures(trackIds);
  const payload: PlaylistPayload = {
    playlist: snapshot.playlist,
    itemsPath: snapshot.itemsPath,
    itemPages: snapshot.itemPages,
    artists,
    audioFeatures,
  };
  return {
    sourceName: snapshot.playlist.name,
    apiMode: snapshot.itemsPath,
    payload,
    entries: entries.length,
  };
}

export const playlistAdapter: SourceAdapter = {
  fetch: fetchPlaylist,
  read(payload) {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return { problem: z.prettifyError(parsed.error).slice(0, 300) };
    const { playlist, itemPages, artists, audioFeatures } = parsed.data;
    return {
      sourceName: playlist.name,
      entries: entriesOf(itemPages),
      enrichments: toEnrichments(artists, audioFeatures),
    };
  },
};
