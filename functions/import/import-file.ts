import type { ObjectStore } from '../commons/clients/object-store';
import { keys } from '../commons/domain/keys';
import type { RunParameters } from '../commons/domain/run';
import { STREAMING_HISTORY } from '../commons/domain/sources';
import type { RawSourceDocument } from '../commons/domain/staging-documents';
import { ExportFileInvalid, StagingObjectMissing } from '../commons/errors';
import { readRawIfPresent, writeRaw } from '../commons/staging';
import {
  importedFilePayloadSchema,
  MAX_EXPORT_FILE_BYTES,
  parseExportFileBytes,
  readExportFile,
  STREAMING_HISTORY_NAME,
  type ImportedFilePayload,
} from '../sources/streaming-history';

export interface ImportFileRequest {
  readonly run: RunParameters;
  readonly includeIncognito: boolean;
  readonly file: { readonly key: string; readonly name: string };
  /** The file's place in the import (raw/ numbers the files from 1 in this order). */
  readonly index: number;
}

/** What the Sources Map then runs for this file: a replay of its archived plays. */
export interface ImportedFile {
  readonly source: typeof STREAMING_HISTORY;
  readonly replay: { readonly snapshotDate: string; readonly rawKey: string };
  readonly file: string;
  readonly elements: number;
  readonly plays: number;
  readonly dropped: ImportedFilePayload['dropped'];
}

/**
 * Checks one uploaded export file and archives what an import keeps of it under raw/, privacy
 * fields and (unless asked for) private-session plays left out. Nothing is published here: an
 * import's Loads start only once every one of its files has passed.
 */
export async function importFile(store: ObjectStore, request: ImportFileRequest): Promise<ImportedFile> {
  const { run, file } = request;
  const rawKey = keys.importedFileRaw(run.snapshotDate, run.runId, request.index);
  const replay = { snapshotDate: run.snapshotDate, rawKey };
  const summary = (payload: ImportedFilePayload, elements: number): ImportedFile => ({
    source: STREAMING_HISTORY,
    replay,
    file: file.name,
    elements,
    plays: payload.plays.length,
    dropped: payload.dropped,
  });
  // A retried attempt of this execution finds the file archived already.
  const archived = await readRawIfPresent(store, rawKey).catch(() => undefined);
  const archivedPayload = importedFilePayloadSchema.safeParse(archived?.payload);
  if (archived && archivedPayload.success) return summary(archivedPayload.data, archived.entries);

  const bytes = await store.getBytes(file.key);
  if (bytes === undefined) {
    throw new StagingObjectMissing(
      `${store.describe(file.key)} is gone: it was deleted or expired from the inbox before it was imported. ` +
        'Upload the file again (npm run import:history).',
    );
  }
  if (bytes.byteLength > MAX_EXPORT_FILE_BYTES) {
    throw new ExportFileInvalid(
      `${file.name} is ${bytes.byteLength} bytes, more than the ${MAX_EXPORT_FILE_BYTES} a file of the export may be. Nothing was imported.`,
    );
  }
  const now = new Date();
  const contents = readExportFile(file.name, parseExportFileBytes(file.name, bytes), {
    includeIncognito: request.includeIncognito,
    now,
  });
  const payload: ImportedFilePayload = { file: file.name, plays: contents.plays, dropped: contents.dropped };
  const document: RawSourceDocument = {
    schemaVersion: 2,
    source: STREAMING_HISTORY.ref,
    kind: STREAMING_HISTORY.kind,
    snapshotDate: run.snapshotDate,
    runId: run.runId,
    fetchedAt: now.toISOString(),
    sourceName: STREAMING_HISTORY_NAME,
    apiMode: 'export',
    entries: contents.elements,
    payload,
  };
  await writeRaw(store, rawKey, document);
  return summary(payload, contents.elements);
}
