import type { RunParameters } from '../../functions/commons/domain/run';
import type { SourceOutcome } from '../../functions/commons/domain/step-events';
import { isSourceRef, parseSourceRef, type SourceRef } from '../../functions/commons/domain/sources';
import { emptyCorrectionCounts, emptySkipCounts } from '../../functions/commons/domain/tracks';
import { buildManifest, causeMessage } from '../../functions/finalize/manifest';

/** A source as it travels between states (the step-event schema's mutable copy). */
function source(raw: string): SourceOutcome['source'] {
  const parsed: SourceRef | { problem: string } = parseSourceRef(raw);
  if (!isSourceRef(parsed)) throw new Error(parsed.problem);
  return { ...parsed, scopes: [...parsed.scopes] };
}

const run: RunParameters = {
  snapshotDate: '2026-03-01',
  runId: 'run-1',
  startedAt: '2026-03-01T06:00:00.000Z',
};
const finishedAt = new Date('2026-03-01T06:01:30.000Z');

function succeeded(raw: string, rows: number, requests: number, warnings: string[] = []): SourceOutcome {
  const from = source(raw);
  return {
    status: 'succeeded',
    source: from,
    extract: {
      rawKey: `raw/${from.slug}.json`,
      entries: rows + 1,
      apiMode: from.kind === 'playlist' ? 'items' : 'me',
      resumed: false,
      api: { requests, retries: 1 },
      warnings,
      durationMs: 100,
    },
    transform: {
      normalizedKey: `staging/${from.slug}.json`,
      records: rows,
      itemsSeen: rows + 1,
      skipped: { ...emptySkipCounts(), null_item: 1 },
      corrected: emptyCorrectionCounts(),
      enrichmentUnavailable: ['audio_features (HTTP 403)'],
      durationMs: 20,
    },
    load: {
      dataset: from.dataset,
      rows,
      keys: [`curated/${from.slug}.csv`],
      latestUpdated: true,
      durationMs: 30,
    },
  };
}

const failed = (raw: string, error: string, cause?: string): SourceOutcome => ({
  status: 'failed',
  source: source(raw),
  error: cause === undefined ? { Error: error } : { Error: error, Cause: cause },
});

describe('buildManifest', () => {
  it('records a run whose sources all succeeded', () => {
    const manifest = buildManifest(run, [succeeded('abc', 50, 3, ['expires soon'])], finishedAt);
    expect(manifest).toEqual({
      schemaVersion: 2,
      snapshotDate: '2026-03-01',
      runId: 'run-1',
      status: 'succeeded',
      startedAt: '2026-03-01T06:00:00.000Z',
      finishedAt: '2026-03-01T06:01:30.000Z',
      warnings: ['expires soon'],
      sources: [
        {
          source: 'playlist:abc',
          dataset: 'top_tracks',
          status: 'succeeded',
          apiMode: 'items',
          rawKey: 'raw/playlist-abc.json',
          entries: 51,
          resumed: false,
          spotify: { requests: 3, retries: 1 },
          itemsSeen: 51,
          skipped: { ...emptySkipCounts(), null_item: 1 },
          corrected: emptyCorrectionCounts(),
          enrichmentUnavailable: ['audio_features (HTTP 403)'],
          rowsWritten: 50,
          published: ['curated/playlist-abc.csv'],
          publishedTotal: 1,
          latestUpdated: true,
          durationsMs: { extract: 100, transform: 20, load: 30 },
        },
      ],
      rowsWritten: 50,
      spotifyRequests: 3,
    });
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('records a partial run: totals over the succeeded sources, warnings once, sources in order', () => {
    const manifest = buildManifest(
      run,
      [
        succeeded('me:top-tracks:short_term', 50, 4, ['expires soon', 'quota']),
        failed(
          'abc',
          'SpotifyPlaylistNotAccessible',
          JSON.stringify({
            errorType: 'SpotifyPlaylistNotAccessible',
            errorMessage: 'Playlist abc: HTTP 404',
            trace: [],
          }),
        ),
        succeeded('me:recently-played', 7, 1, ['expires soon']),
      ],
      finishedAt,
    );
    expect(manifest.status).toBe('partial');
    expect(manifest.warnings).toEqual(['expires soon', 'quota']);
    expect(manifest.rowsWritten).toBe(57);
    expect(manifest.spotifyRequests).toBe(5);
    expect(manifest.sources.map((s) => [s.source, s.dataset, s.status])).toEqual([
      ['me:top-tracks:short_term', 'top_tracks', 'succeeded'],
      ['playlist:abc', 'top_tracks', 'failed'],
      ['me:recently-played', 'recently_played', 'succeeded'],
    ]);
    expect(manifest.sources[1]).toEqual({
      source: 'playlist:abc',
      dataset: 'top_tracks',
      status: 'failed',
      error: 'SpotifyPlaylistNotAccessible',
      cause: 'Playlist abc: HTTP 404',
      published: [],
    });
  });

  it('records a run whose sources all failed', () => {
    const manifest = buildManifest(
      run,
      [failed('abc', 'States.Timeout'), failed('me:recently-played', 'SpotifyAuthError', 'plain text cause')],
      finishedAt,
    );
    expect(manifest).toMatchObject({ status: 'failed', warnings: [], rowsWritten: 0, spotifyRequests: 0 });
    expect(manifest.sources.map((s) => ('cause' in s ? s.cause : undefined))).toEqual([
      '',
      'plain text cause',
    ]);
  });
});

describe('causeMessage', () => {
  it.each([
    ['no cause', undefined, ''],
    ['an empty cause', '', ''],
    ['a Lambda error', '{"errorType":"X","errorMessage":"It broke","trace":["at a"]}', 'It broke'],
    ['an empty errorMessage', '{"errorMessage":""}', ''],
    ['plain text', 'Task timed out after 30.00 seconds', 'Task timed out after 30.00 seconds'],
    ['JSON without errorMessage', '{"error":"x"}', '{"error":"x"}'],
    ['a non-string errorMessage', '{"errorMessage":42}', '{"errorMessage":42}'],
    ['a JSON string', '"quoted"', '"quoted"'],
    ['JSON null', 'null', 'null'],
    ['an array', '["errorMessage"]', '["errorMessage"]'],
    ['broken JSON', '{"errorMessage": "cut', '{"errorMessage": "cut'],
  ])('returns the message of %s', (_label, cause, expected) => {
    expect(causeMessage(cause)).toBe(expected);
  });
});
