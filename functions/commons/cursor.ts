import * as z from 'zod/mini';
import './validation';
import type { ObjectStore } from './clients/object-store';
import { updateConditionally } from './conditional-update';
import { keys } from './domain/keys';

const cursorSchema = z.object({ afterMs: z.number(), playedAt: z.string(), runId: z.string() });

/**
 * The newest published play, kept in the bucket: the next recently-played run asks Spotify only
 * for plays after it. Only Load moves it, after the plays are published, and only forward.
 */
export async function readCursor(store: ObjectStore): Promise<number | undefined> {
  const text = await store.getText(keys.recentlyPlayedCursor());
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // a damaged cursor only costs a full 50-play fetch; the merge keeps plays unique
  }
  const cursor = cursorSchema.safeParse(json);
  return cursor.success ? cursor.data.afterMs : undefined;
}

export async function advanceCursor(store: ObjectStore, playedAt: string, runId: string): Promise<boolean> {
  const afterMs = Date.parse(playedAt);
  const outcome = await updateConditionally(store, keys.recentlyPlayedCursor(), (current) => {
    if (current) {
      let json: unknown;
      try {
        json = JSON.parse(current.text);
      } catch {
        json = undefined;
      }
      const existing = cursorSchema.safeParse(json);
      if (existing.success && existing.data.afterMs >= afterMs) return undefined;
    }
    return {
      body: `${JSON.stringify({ afterMs, playedAt, runId })}\n`,
      options: { contentType: 'application/json' },
    };
  });
  return outcome === 'written';
}
