import type { ObjectStore } from '../commons/clients/object-store';
import type { ImportRequest } from '../commons/domain/run';
import { InvalidInputError } from '../commons/errors';
import { fileNameProblem, MAX_EXPORT_FILE_BYTES, MAX_EXPORT_FILES } from '../sources/streaming-history';

/** One uploaded file of an import, as the state machine hands it to ImportFile. */
export interface ImportFileItem {
  readonly key: string;
  /** The file's own name (the last part of its key). */
  readonly name: string;
  readonly bytes: number;
}

export interface ImportPlan extends ImportRequest {
  readonly files: ImportFileItem[];
  /** Keys under the folder that are not JSON (the export's PDF, a ReadMe): left alone. */
  readonly ignored: string[];
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The files of an import, in name order (their numbering in raw/ follows it). Everything that
 * would make the import fail is found here, before any file is read: no JSON file, a JSON file
 * not named like the export's, too many or too large files.
 */
export async function importFiles(store: ObjectStore, request: ImportRequest): Promise<ImportPlan> {
  const listed = await store.list(request.prefix);
  const files: ImportFileItem[] = [];
  const ignored: string[] = [];
  const problems: string[] = [];
  for (const object of listed) {
    const name = object.key.slice(object.key.lastIndexOf('/') + 1);
    if (!name.toLowerCase().endsWith('.json')) {
      ignored.push(object.key);
      continue;
    }
    const nameProblem = fileNameProblem(name);
    if (nameProblem) problems.push(nameProblem);
    else if (object.bytes > MAX_EXPORT_FILE_BYTES) {
      problems.push(
        `${name} is ${mib(object.bytes)}, more than the ${mib(MAX_EXPORT_FILE_BYTES)} a file of the export may be ` +
          "(Spotify's files are about 12 MB)",
      );
    } else files.push({ key: object.key, name, bytes: object.bytes });
  }
  if (files.length > MAX_EXPORT_FILES) {
    problems.push(
      `${files.length} files, more than ${MAX_EXPORT_FILES} in one import: import them in several folders`,
    );
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new InvalidInputError(
      `Nothing was imported from ${store.describe(request.prefix)}: ${problems.slice(0, 5).join('; ')}${more}.`,
    );
  }
  if (files.length === 0) {
    throw new InvalidInputError(
      `Nothing to import: ${store.describe(request.prefix)} holds no export file` +
        `${ignored.length > 0 ? ` (only ${ignored.length} other file${ignored.length === 1 ? '' : 's'})` : ''}. ` +
        'Upload the Streaming_History_Audio_*.json files of your export there (npm run import:history does it for you).',
    );
  }
  files.sort((a, b) => (a.name === b.name ? a.key.localeCompare(b.key) : a.name.localeCompare(b.name)));
  return { ...request, files, ignored };
}
