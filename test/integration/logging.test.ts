import { startLocalStack, type LocalStack } from '../helpers/local-stack';

// The handlers (and their logger) load on the first run, so this is the level they log at.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

/** Structured logs of whole runs, captured as CloudWatch would see them: no secret or token in them. */
describe('logs', () => {
  let stack: LocalStack;
  let captured: string;
  let restore: () => void;

  beforeEach(async () => {
    stack = await startLocalStack({ snapshotDate: '2026-08-01' });
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

  it('logs each step as JSON with the run id, and never the client secret or a token', async () => {
    const succeeded = await stack.run({ snapshotDate: '2026-08-01' });
    const failed = await stack.run({
      snapshotDate: '2026-08-01',
      spotify: {
        apiUrl: stack.spotify.url,
        accountsUrl: stack.spotify.url,
        clientId: stack.spotify.options.clientId,
        clientSecret: 'wrong-secret-123',
      },
    });
    restore();
    expect(succeeded.status).toBe('SUCCEEDED');
    expect(failed.error).toBe('SpotifyAuthError');

    const json = captured
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const entries = json.filter((entry) => 'message' in entry) as {
      message: string;
      runId?: string;
      errorName?: string;
    }[];
    // Metrics go out as Embedded Metric Format lines, one per invocation.
    const emf = json.filter((entry) => '_aws' in entry);
    expect(emf.find((entry) => 'RowsWritten' in entry)).toMatchObject({
      RowsWritten: 50,
      service: 'spotify-etl-pipeline',
    });
    expect(emf.find((entry) => 'SpotifyRequests' in entry)).toMatchObject({
      SpotifyRequests: 4,
      SpotifyRetries: 0,
    });
    expect(emf.find((entry) => 'ItemsSeen' in entry)).toMatchObject({ ItemsSeen: 50, ItemsSkipped: 0 });
    expect(entries.map((entry) => entry.message)).toEqual([
      'Extracted',
      'Transformed',
      'Loaded',
      'Step failed',
    ]);
    expect(entries.slice(0, 3).map((entry) => entry.runId)).toEqual(Array(3).fill(succeeded.executionName));
    expect(entries[3]).toMatchObject({ runId: failed.executionName, errorName: 'SpotifyAuthError' });

    expect(captured).not.toContain(stack.spotify.options.clientSecret);
    expect(captured).not.toContain('wrong-secret-123');
    expect(stack.spotify.issuedTokens.size).toBeGreaterThan(0);
    for (const token of stack.spotify.issuedTokens) expect(captured).not.toContain(token);
  });
});
