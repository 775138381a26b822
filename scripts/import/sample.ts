import { exportFileText, sampleExport } from '../../test/spotify-stand-in/sample-export';
import { standInListening } from '../../test/spotify-stand-in/server';
import type { ExportFile } from './export-files';

/**
 * The offline sample's export: the stand-in user's older listening and the plays that
 * `npm run local` showed today, as Spotify's export would report them (with episodes,
 * private-session plays and a malformed element), so an import can be tried without an account.
 */
export function sampleExportFiles(now: Date): ExportFile[] {
  const today = `${now.toISOString().slice(0, 10)}T06:00:00.000Z`;
  const files = sampleExport({ listening: standInListening(new Date(today)), exportedAt: new Date(today) });
  return files.map((file) => {
    const body = Buffer.from(exportFileText(file));
    return {
      name: file.name,
      origin: `sample:${file.name}`,
      bytes: body.length,
      read: () => Promise.resolve(body),
    };
  });
}
