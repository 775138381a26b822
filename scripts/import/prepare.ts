import {
  parseExportFileBytes,
  readExportFile,
  type DroppedElements,
} from '../../functions/sources/streaming-history';
import type { ExportFile } from './export-files';

/** One export file, checked on this machine and ready to upload: privacy fields already removed. */
export interface PreparedFile {
  readonly name: string;
  readonly origin: string;
  /** The JSON that is uploaded: the kept fields of each play; a malformed element as null. */
  readonly body: string;
  readonly elements: number;
  readonly plays: number;
  readonly dropped: DroppedElements;
}

/**
 * Checks a file with the same rules the pipeline applies, so a bad file fails here, naming the
 * file and the element, before anything is uploaded; and keeps only the allow-listed fields, so
 * the export's IP addresses, user agents and user name never leave this machine. Private-session
 * plays stay here too unless asked for. Malformed elements travel as null so that the pipeline
 * counts them in the run's manifest.
 */
export async function prepareFile(
  file: ExportFile,
  options: { readonly includeIncognito: boolean },
): Promise<PreparedFile> {
  const contents = readExportFile(file.origin, parseExportFileBytes(file.origin, await file.read()), {
    ...options,
    now: new Date(),
  });
  const body = JSON.stringify([...contents.plays, ...Array<null>(contents.dropped.invalid).fill(null)]);
  return {
    name: file.name,
    origin: file.origin,
    body,
    elements: contents.elements,
    plays: contents.plays.length,
    dropped: contents.dropped,
  };
}
