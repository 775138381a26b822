import * as z from 'zod/mini';
import './validation';
import type { ObjectStore } from './clients/object-store';
import { StagingObjectInvalid, StagingObjectMissing } from './errors';

/** Reads a staged JSON document and validates it; staged data is external input to the next step. */
export async function readStaged<T>(store: ObjectStore, key: string, schema: z.ZodMiniType<T>): Promise<T> {
  const text = await store.getText(key);
  if (text === undefined) {
    throw new StagingObjectMissing(
      `Staging object ${store.describe(key)} is missing: it was deleted or expired by the staging lifecycle rule. ` +
        'Start a new execution for this snapshot date; it fetches the data again.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StagingObjectMissing(
      `Staging object ${store.describe(key)} is not valid JSON; start a new execution.`,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new StagingObjectInvalid(
      `Staging object ${store.describe(key)} does not have the expected shape (${z.prettifyError(result.error).slice(0, 300)}); ` +
        'it was written by another version of the pipeline. Start a new execution for this snapshot date.',
    );
  }
  return result.data;
}
