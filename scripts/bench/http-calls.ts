import { SPOTIFY_LIMITS } from '../../functions/commons/constants';
import { chunk } from '../../functions/commons/clients/spotify/catalog';
import { sizedPlaylist } from '../../test/spotify-stand-in/playlists';
import { topTracksFor, type SampleTrack } from '../../test/spotify-stand-in/sample-data';
import { BENCH_DATE, type Scenario, type ScenarioResult } from './handler-runs';

/** The tracks a scenario's source holds, as the stand-in serves them. */
function tracksOf(scenario: Scenario): SampleTrack[] {
  if (scenario.kind === 'top_tracks') return topTracksFor('short_term', BENCH_DATE, scenario.entries);
  if (scenario.kind !== 'playlist') return [];
  const fixture = sizedPlaylist('minimum', scenario.entries);
  return fixture.entries(BENCH_DATE).flatMap((entry) => (entry.kind === 'track' ? [entry.track] : []));
}

/**
 * The fewest calls the API allows for one source: one token; a playlist object that embeds its first
 * 50 entries, then /items pages of 50; top tracks and recent plays in one page of 50; artists in
 * batches of 50 and audio features in batches of 100. In development mode both enrichments are
 * refused: a cold container learns that with one refused call each, a warm one remembers it.
 */
export function minimumCalls(scenario: Scenario, container: 'cold' | 'warm'): number {
  const token = 1;
  const pages =
    scenario.kind === 'playlist'
      ? 1 + Math.ceil(Math.max(0, scenario.entries - SPOTIFY_LIMITS.itemsPage) / SPOTIFY_LIMITS.itemsPage)
      : 1;
  if (scenario.kind === 'recently_played') return token + pages;
  if (scenario.mode === 'development') return token + pages + (container === 'cold' ? 2 : 0);
  const tracks = tracksOf(scenario);
  const trackIds = new Set(tracks.map((track) => track.id));
  const artistIds = new Set(tracks.flatMap((track) => track.artistIds));
  const enrichment =
    chunk([...artistIds], SPOTIFY_LIMITS.severalArtists).length +
    chunk([...trackIds], SPOTIFY_LIMITS.audioFeatures).length;
  return token + pages + enrichment;
}

export function callFigures(results: readonly ScenarioResult[]) {
  return results.map((result) => ({
    source: result.scenario.label,
    kind: result.scenario.kind,
    mode: result.scenario.mode,
    auth: result.scenario.auth,
    entries: result.scenario.entries,
    cold: { measured: result.calls.cold, minimum: minimumCalls(result.scenario, 'cold') },
    warm:
      result.calls.warm === null
        ? null
        : { measured: result.calls.warm, minimum: minimumCalls(result.scenario, 'warm') },
    byEndpoint: result.calls.byEndpoint,
    retries: result.calls.retries,
  }));
}
