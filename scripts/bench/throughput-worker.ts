/**
 * One measurement in a fresh process: Transform + CSV for N records, from the staged JSON text to
 * the CSV text, as the Lambdas do it. Prints JSON with the time and the process's peak memory.
 */
import { renderCsv } from '../../functions/load/csv';
import {
  rawPlaylistDocumentSchema,
  type RawPlaylistDocument,
} from '../../functions/commons/domain/staging-documents';
import { normalizeRun } from '../../functions/transform/normalize-run';
import { chartFor, sampleTrack, SAMPLE_ARTISTS } from '../../test/spotify-stand-in/sample-data';
import { renderAudioFeatures, renderEntry, renderFullArtist } from '../../test/spotify-stand-in/render';

const records = Number(process.argv[2] ?? 1000);
const base = 'https://api.spotify.com';

function stagedDocument(size: number): string {
  const tracks = chartFor('2026-01-31', size);
  const pages = [];
  for (let offset = 0; offset < tracks.length; offset += 100) {
    const slice = tracks.slice(offset, offset + 100);
    pages.push({
      items: slice.map((track) =>
        renderEntry(base, { kind: 'track', track }, 'legacy', '2026-01-31T00:00:00Z'),
      ),
      next: offset + 100 < tracks.length ? `${base}/next` : null,
      offset,
      total: tracks.length,
    });
  }
  const document: RawPlaylistDocument = {
    schemaVersion: 1,
    snapshotDate: '2026-01-31',
    playlistId: 'benchPlaylist',
    fetchedAt: new Date().toISOString(),
    apiShape: 'tracks',
    playlist: { id: 'benchPlaylist', name: 'Bench' },
    itemPages: rawPlaylistDocumentSchema.shape.itemPages.parse(pages),
    artists: {
      status: 'ok',
      responses: [{ artists: SAMPLE_ARTISTS.map((artist) => renderFullArtist(base, artist, 'legacy')) }],
    },
    audioFeatures: {
      status: 'ok',
      responses: [
        {
          audio_features: tracks.map((track) =>
            renderAudioFeatures(base, sampleTrack(SAMPLE_TRACKS_INDEX(track.id))),
          ),
        },
      ],
    },
  };
  return JSON.stringify(document);
}

const index = new Map<string, number>();
function SAMPLE_TRACKS_INDEX(id: string): number {
  return index.get(id) ?? 0;
}

for (let i = 0; i < records + 20; i += 1) index.set(sampleTrack(i).id, i);
const text = stagedDocument(records);
global.gc?.();
const before = process.memoryUsage();
const lap = (() => {
  let last = process.hrtime.bigint();
  return () => {
    const now = process.hrtime.bigint();
    const ms = Number(now - last) / 1e6;
    last = now;
    return ms;
  };
})();
const json: unknown = JSON.parse(text);
const parseMs = lap();
const document = rawPlaylistDocumentSchema.parse(json);
const validateMs = lap();
const normalized = normalizeRun('2026-01-31', [document]);
const normalizeMs = lap();
const csv = renderCsv(normalized.records, { neutralizeFormulas: true });
const csvMs = lap();
const elapsedMs = parseMs + validateMs + normalizeMs + csvMs;
const after = process.memoryUsage();
console.log(
  JSON.stringify({
    records: normalized.records.length,
    elapsedMs,
    phasesMs: { parse: parseMs, validate: validateMs, normalize: normalizeMs, csv: csvMs },
    rowsPerSecond: Math.round(normalized.records.length / (elapsedMs / 1000)),
    stagedMb: text.length / 1e6,
    csvMb: csv.length / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapGrowthMb: (after.heapUsed - before.heapUsed) / 1e6,
  }),
);
