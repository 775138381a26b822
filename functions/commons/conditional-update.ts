import { type ObjectStore, type PutOptions, type StoredText, WriteConflict } from './clients/object-store';

export interface Update {
  readonly body: string;
  readonly options: Omit<PutOptions, 'ifMatch' | 'ifNoneMatch'>;
}

const MAX_ATTEMPTS = 8;

/**
 * Read, decide, write only if nothing changed in between (S3 conditional writes), and decide again
 * on a conflict: two executions that update the same object (a retry and the schedule, a backfill
 * and today) both end up applied, never one silently undoing the other. `decide` returns undefined
 * when the current object already says what it should (nothing is written).
 */
export async function updateConditionally(
  store: ObjectStore,
  key: string,
  decide: (current: StoredText | undefined) => Update | undefined,
): Promise<'written' | 'unchanged'> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await store.getVersioned(key);
    const update = decide(current);
    if (!update) return 'unchanged';
    try {
      await store.putText(key, update.body, {
        ...update.options,
        ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }),
      });
      return 'written';
    } catch (error) {
      if (!(error instanceof WriteConflict) || attempt >= MAX_ATTEMPTS) throw error;
      // Someone else wrote first: back off a little so the next read sees their write settled.
      await new Promise((resolve) => setTimeout(resolve, Math.round(Math.random() * 50 * attempt)));
    }
  }
}
