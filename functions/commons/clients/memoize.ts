/**
 * Clients live as long as the warm container, and are rebuilt if the settings they depend on
 * change (which only tests do).
 */
const memo = new Map<string, unknown>();
export function memoize<T>(key: string, create: () => T): T {
  if (!memo.has(key)) memo.set(key, create());
  return memo.get(key) as T;
}
