import * as z from 'zod/mini';
import '../commons/validation';
import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import {
  severalArtistsSchema,
  severalAudioFeaturesSchema,
  topTracksPageSchema,
} from '../commons/clients/spotify/schemas';
import type { SourceRef, TimeRange } from '../commons/domain/sources';
import type { SourceAdapter } from './adapter';
import { enrichmentIds, enrichmentSchema, toEnrichments, toEntry } from './wire';

const payloadSchema = z.object({
  timeRange: z.string(),
  pages: z.array(topTracksPageSchema),
  artists: enrichmentSchema(severalArtistsSchema),
  audioFeatures: enrichmentSchema(severalAudioFeaturesSchema),
});
type TopTracksPayload = z.infer<typeof payloadSchema>;

const RANGE_NAMES: Record<TimeRange, string> = {
  short_term: 'Your top tracks, last 4 weeks',
  medium_term: 'Your top tracks, last 6 months',
  long_term: 'Your top tracks, last 12 months',
};

const nameOf = (source: SourceRef) => (source.timeRange ? RANGE_NAMES[source.timeRange] : source.ref);
const entriesOf = (pages: TopTracksPayload['pages']) =>
  pages.flatMap((page) => page.items.map((raw) => toEntry(raw)));

/** `me:top-tracks:<range>`: the user's personal Top 50 for that time range, ranked as Spotify ranks it. */
export const topTracksAdapter: SourceAdapter = {
  async fetch(catalog: SpotifyCatalog, source: SourceRef) {
    const timeRange = source.timeRange ?? 'short_term';
    const page = await catalog.fetchTopTracks(timeRange);
    const entries = entriesOf([page]);
    const { trackIds, artistIds } = enrichmentIds(entries);
    const payload: TopTracksPayload = {
      timeRange,
      pages: [page],
      artists: await catalog.fetchArtists(artistIds),
      audioFeatures: await catalog.fetchAudioFeatures(trackIds),
    };
    return { sourceName: nameOf(source), apiMode: 'me', payload, entries: entries.length };
  },
  read(payload, source) {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return { problem: z.prettifyError(parsed.error).slice(0, 300) };
    return {
      sourceName: nameOf(source),
      entries: entriesOf(parsed.data.pages),
      enrichments: toEnrichments(parsed.data.artists, parsed.data.audioFeatures),
    };
  },
};
