import * as z from 'zod/mini';
import '../commons/validation';
import type { SpotifyCatalog } from '../commons/clients/spotify/catalog';
import { playHistorySchema, recentlyPlayedPageSchema } from '../commons/clients/spotify/schemas';
import { NO_ENRICHMENTS, type SourceEntry } from '../commons/domain/tracks';
import type { FetchContext, SourceAdapter } from './adapter';
import { toEntry } from './wire';

const payloadSchema = z.object({
  afterMs: z.nullable(z.number()),
  pages: z.array(recentlyPlayedPageSchema),
});
type RecentlyPlayedPayload = z.infer<typeof payloadSchema>;

const SOURCE_NAME = 'Your recently played tracks';

function entriesOf(pages: RecentlyPlayedPayload['pages']): SourceEntry[] {
  return pages.flatMap((page) =>
    page.items.map((raw): SourceEntry => {
      if (raw === null || (typeof raw === 'object' && 'track' in raw && raw.track === null)) {
        return { kind: 'skip', reason: 'null_item' };
      }
      const parsed = playHistorySchema.safeParse(raw);
      if (!parsed.success) {
        const isEpisode =
          typeof raw === 'object' &&
          'track' in raw &&
          typeof raw.track === 'object' &&
          raw.track !== null &&
          'type' in raw.track &&
          raw.track.type === 'episode';
        return { kind: 'skip', reason: isEpisode ? 'episode' : 'invalid' };
      }
      const { track, played_at: playedAt, context } = parsed.data;
      return toEntry(track, {
        addedAt: null,
        playedAt,
        context: context ? { type: context.type ?? null, uri: context.uri ?? null } : null,
      });
    }),
  );
}

/**
 * `me:recently-played`: the plays after the last published one. Spotify keeps only the last 50, so
 * runs must come at least every 50 plays (the hourly schedule); overlapping answers are merged.
 */
export const recentlyPlayedAdapter: SourceAdapter = {
  async fetch(catalog: SpotifyCatalog, _source, context: FetchContext) {
    const page = await catalog.fetchRecentlyPlayed(context.afterMs);
    const payload: RecentlyPlayedPayload = { afterMs: context.afterMs ?? null, pages: [page] };
    return { sourceName: SOURCE_NAME, apiMode: 'me', payload, entries: page.items.length };
  },
  read(payload) {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return { problem: z.prettifyError(parsed.error).slice(0, 300) };
    return { sourceName: SOURCE_NAME, entries: entriesOf(parsed.data.pages), enrichments: NO_ENRICHMENTS };
  },
};
