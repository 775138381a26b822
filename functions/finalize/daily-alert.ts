import { WriteConflict, type ObjectStore } from '../commons/clients/object-store';
import { PREFIXES } from '../commons/domain/keys';

/** True for the first run of the day that asks (a first write with If-None-Match: *), false for the rest. */
export async function claimDailyAlert(store: ObjectStore, kind: string, date: string): Promise<boolean> {
  const key = `${PREFIXES.state}alerts/${kind}/${date}.json`;
  if ((await store.getMetadata(key)) !== undefined) return false;
  try {
    await store.putText(key, `${JSON.stringify({ date })}\n`, {
      contentType: 'application/json',
      ifNoneMatch: '*',
    });
    return true;
  } catch (error) {
    if (error instanceof WriteConflict) return false;
    throw error;
  }
}
