import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseSourceRef } from '../../functions/commons/domain/sources';
import { SAMPLE_PLAYLIST_IDS } from '../spotify-stand-in/playlists';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { manifestOf, startTinyServer } from './faults-support';

// The handlers (and their logger) load on the first run, so this is the level they log at.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

const DAY = '2026-08-01';
const OWNED = `playlist:${SAMPLE_PLAYLIST_IDS.weeklyPicks}`;
const TOP = 'me:top-tracks:short_term';

const logEntrySchema = z.looseObject({
  message: z.string(),
  level: z.string(),
  runId: z.optional(z.string()),
  source: z.optional(z.string()),
  errorName: z.optional(z.string()),
});
const jsonLine = z.record(z.string(), z.unknown());
/** A line a handler wrote during an invocation (injectLambdaContext adds the function's fields). */
const invocationLineSchema = z.looseObject({
  message: z.string(),
  function_name: z.string(),
  function_request_id: z.string(),
  source: z.optional(z.string()),
  keys: z.optional(z.array(z.string())),
  rows: z.optional(z.number()),
});

/** Every file under a directory, with its text. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, file)] = await readFile(file, 'utf8');
  }
  return files;
}

/** Structured logs of whole runs, captured as CloudWatch would see them: no secret or token in them. */
describe('logs', () => {
  let stack: LocalStack;
  let captured: string;
  let restore: () => void;

  beforeEach(async () => {
    stack = await startLocalStack({
      snapshotDate: DAY,
      now: () => new Date(`${DAY}T06:00:00Z`),
      rotateRefreshTokens: true,
    });
    captured = '';
    const capture = (chunk: unknown) => {
      captured += String(chunk);
      return true;
    };
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    restore = () => {
      stdout.mockRestore();
      stderr.mockRestore();
    };
  });
  afterEach(async () => {
    restore();
    await stack.close();
  });

  const jsonLines = () =>
    captured
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => jsonLine.parse(JSON.parse(line)));

  /** No secret and no token the stand-in ever issued (access, refresh, rotated) appears in `text`. */
  function expectNoSecrets(text: string, extra: readonly string[] = []) {
    expect(text).not.toContain(stack.spotify.options.clientSecret);
    for (const secret of extra) expect(text).not.toContain(secret);
    for (const token of stack.spotify.issuedTokens) expect(text).not.toContain(token);
  }

  it('logs each step as JSON with the run id and source, and never the client secret or a token', async () => {
    const refreshToken = stack.spotify.grantRefreshToken();
    const succeeded = await stack.runAsUser(refreshToken, { snapshotDate: DAY, sources: [TOP] });
    // The second run refreshes the rotated token (kept in the token file): two rotations in all.
    const again = await stack.runAsUser(refreshToken, { snapshotDate: DAY, sources: [TOP] });
    const failed = await stack.run({
      snapshotDate: DAY,
      sources: [OWNED],
      spotify: { ...stack.spotify.target(), clientSecret: 'wrong-secret-123' },
    });
    restore();
    expect([succeeded.status, again.status, failed.error]).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SpotifyAuthError',
    ]);
    expect(manifestOf(again).sources[0]?.spotify).toMatchObject({ refreshTokenRotated: true });

    const json = jsonLines();
    const entries = json.flatMap((line) => {
      const parsed = logEntrySchema.safeParse(line);
      return parsed.success ? [parsed.data] : [];
    });
    // Metrics go out as Embedded Metric Format lines, one per invocation.
    const emf = json.filter((entry) => '_aws' in entry);
    expect(emf.find((entry) => 'RowsWritten' in entry)).toMatchObject({
      RowsWritten: 50,
      service: 'spotify-etl-pipeline',
    });
    expect(emf.find((entry) => 'SpotifyRequests' in entry)).toMatchObject({ SpotifyRetries: 0 });
    expect(emf.find((entry) => 'ItemsSeen' in entry)).toMatchObject({ ItemsSeen: 50, ItemsSkipped: 0 });

    const steps = entries.filter((entry) => entry.level !== 'DEBUG');
    expect(steps.map((entry) => [entry.message, entry.runId, entry.source])).toEqual([
      ['Planned', succeeded.executionName, undefined],
      ['Extracted', succeeded.executionName, TOP],
      ['Transformed', succeeded.executionName, TOP],
      ['Loaded', succeeded.executionName, TOP],
      ['Planned', again.executionName, undefined],
      ['Extracted', again.executionName, TOP],
      ['Transformed', again.executionName, TOP],
      ['Loaded', again.executionName, TOP],
      ['Planned', failed.executionName, undefined],
      ['Step failed', failed.executionName, OWNED],
      ['Step failed', failed.executionName, undefined],
    ]);
    expect(steps.filter((entry) => entry.message === 'Step failed').map((entry) => entry.errorName)).toEqual([
      'SpotifyAuthError',
      'SpotifyAuthError',
    ]);

    // The granted refresh token, two rotated ones and the two runs' access tokens.
    expect(stack.spotify.issuedTokens.size).toBe(5);
    expectNoSecrets(captured, ['wrong-secret-123', refreshToken]);
    // Nothing in the bucket (manifests, raw answers, staging, datasets) holds a secret either.
    const bucket = await filesUnder(failed.bucketDir);
    expect(Object.keys(bucket).filter((key) => key.startsWith('runs'))).toHaveLength(3);
    for (const text of Object.values(bucket)) expectNoSecrets(text, ['wrong-secret-123']);
    expectNoSecrets(JSON.stringify(failed.notifications), ['wrong-secret-123']);
  });

  it('names the function and the source that wrote each line, while sources run side by side', async () => {
    const sources = [TOP, 'me:top-tracks:medium_term', OWNED, 'me:recently-played'];
    const result = await stack.runAsUser(stack.spotify.grantRefreshToken(), { snapshotDate: DAY, sources });
    restore();
    expect(result.status).toBe('SUCCEEDED');
    const lines = jsonLines().flatMap((line) => {
      const parsed = invocationLineSchema.safeParse(line);
      return parsed.success ? [parsed.data] : [];
    });
    const steps = { Extracted: 'extract', Transformed: 'transform', Loaded: 'load' } as const;
    for (const [message, functionName] of Object.entries(steps)) {
      const written = lines.filter((line) => line.message === message);
      expect(written.map((line) => line.function_name)).toEqual(sources.map(() => functionName));
      expect(written.map((line) => line.source).sort()).toEqual([...sources].sort());
    }
    // Every line of one invocation, debug lines included, names one function and one source.
    const invocations = new Map<string, Set<string>>();
    for (const line of lines) {
      const seen = invocations.get(line.function_request_id) ?? new Set();
      invocations.set(line.function_request_id, seen.add(`${line.function_name} ${line.source ?? '-'}`));
    }
    expect([...invocations.values()].filter((seen) => seen.size > 1).map((seen) => [...seen])).toEqual([]);
    // Each invocation flushes its own metrics: one line per Load, counting the rows that Load wrote.
    const rowsLoaded = lines.filter((line) => line.message === 'Loaded').map((line) => line.rows);
    const rowsCounted = jsonLines().flatMap((line) => ('RowsWritten' in line ? [line.RowsWritten] : []));
    expect(rowsCounted.sort()).toEqual(rowsLoaded.sort());
    // A Load line's files are those of the source it names.
    for (const line of lines.filter(
      (entry) => entry.message === 'Loaded' && entry.source?.startsWith('me:top'),
    )) {
      const ref = parseSourceRef(line.source ?? '');
      expect('slug' in ref && line.keys?.every((key) => key.includes(ref.slug))).toBe(true);
    }
  });

  it('a refused or redirected token request names neither the token nor what the redirect carried', async () => {
    const revoked = stack.spotify.grantRefreshToken();
    // Someone else used (and so rotated away) this token: it is revoked now.
    await fetch(`${stack.spotify.url}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: revoked,
        client_id: stack.spotify.options.clientId,
      }).toString(),
    });
    const refused = await stack.runAsUser(revoked, { snapshotDate: DAY, sources: [TOP] });

    const elsewhere = await startTinyServer();
    const redirecting = await startTinyServer(() => ({
      status: 307,
      headers: { location: `${elsewhere.url}/api/token?refresh_token=leaked-in-query` },
    }));
    let redirected;
    try {
      redirected = await stack.run({
        snapshotDate: DAY,
        sources: [TOP],
        spotify: {
          apiUrl: stack.spotify.url,
          accountsUrl: redirecting.url,
          clientId: stack.spotify.options.clientId,
          refreshToken: stack.spotify.grantRefreshToken(),
        },
      });
    } finally {
      await elsewhere.close();
      await redirecting.close();
    }
    restore();
    expect([refused.error, redirected.error]).toEqual(['SpotifyAuthError', 'InvalidSpotifyPayload']);
    expect(refused.cause).toContain('revoked');
    expect(elsewhere.requests).toEqual([]);
    for (const text of [captured, refused.cause ?? '', redirected.cause ?? '']) {
      expectNoSecrets(text, ['leaked-in-query']);
    }
    for (const result of [refused, redirected]) {
      expectNoSecrets(JSON.stringify(manifestOf(result)), ['leaked-in-query']);
      expectNoSecrets(JSON.stringify(result.notifications), ['leaked-in-query']);
    }
  });
});
