import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import './validation';
import type { ObjectStore } from './clients/object-store';
import { rawSourceDocumentSchema, type RawSourceDocument } from './domain/staging-documents';
import { StagingObjectInvalid, StagingObjectMissing } from './errors';

function parseStaged<T>(text: string, key: string, store: ObjectStore, schema: z.ZodMiniType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StagingObjectMissing(`Object ${store.describe(key)} is not valid JSON; start a new execution.`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new StagingObjectInvalid(
      `Object ${store.describe(key)} does not have the expected shape (${z.prettifyError(result.error).slice(0, 300)}); ` +
        'it was written by another version of the pipeline. Start a new execution.',
    );
  }
  return result.data;
}

/** Reads a staged JSON document and validates it; staged data is external input to the next step. */
export async function readStaged<T>(store: ObjectStore, key: string, schema: z.ZodMiniType<T>): Promise<T> {
  const text = await store.getText(key);
  if (text === undefined) {
    throw new StagingObjectMissing(
      `Staging object ${store.describe(key)} is missing: it was deleted or expired by the staging lifecycle rule. ` +
        'Start a new execution; it builds the rows again from the raw answer.',
    );
  }
  return parseStaged(text, key, store, schema);
}

/** Raw answers are kept gzipped: about a tenth of their size, for as long as the archive is kept. */
export async function writeRaw(store: ObjectStore, key: string, document: RawSourceDocument): Promise<void> {
  await store.putBytes(key, gzipSync(JSON.stringify(document)), { contentType: 'application/gzip' });
}

/** A raw answer, or undefined when there is none (a first attempt); damaged ones are an error. */
export async function readRawIfPresent(
  store: ObjectStore,
  key: string,
): Promise<RawSourceDocument | undefined> {
  const bytes = await store.getBytes(key);
  if (bytes === undefined) return undefined;
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch {
    throw new StagingObjectInvalid(
      `Raw object ${store.describe(key)} is not gzip; it was not written by this pipeline.`,
    );
  }
  return parseStaged(text, key, store, rawSourceDocumentSchema);
}

export async function readRaw(store: ObjectStore, key: string): Promise<RawSourceDocument> {
  const document = await readRawIfPresent(store, key);
  if (!document) {
    throw new StagingObjectMissing(
      `Raw object ${store.describe(key)} is missing: it was deleted or expired by the raw archive's retention. ` +
        'Start a new execution; it fetches the data again (for today only: Spotify keeps no history).',
    );
  }
  return document;
}
