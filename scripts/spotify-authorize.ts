/**
 * `npm run spotify:authorize`: one-time set-up of user-token mode. Runs Spotify's Authorization
 * Code flow with PKCE on a loopback redirect URI and prints the refresh token and the commands
 * that store it. Exit codes: 0 authorized, 1 failed, 2 bad usage.
 */
import { serializeStoredRefreshToken } from '../functions/commons/clients/credentials';
import { DEFAULT_SOURCES } from '../functions/commons/config';
import { DEFAULT_SPOTIFY_ACCOUNTS_URL } from '../functions/commons/constants';
import {
  isSourceRef,
  parseSourceRef,
  SOURCE_REFERENCE_HELP,
  splitSourceList,
} from '../functions/commons/domain/sources';
import { authorize } from './authorize/authorization-code-flow';
import { parseFlags, runCommand, UsageError, type Command } from './cli';

/** What a default deployment runs: the daily top tracks and the hourly recent plays. */
const SCHEDULED_SOURCES = `${DEFAULT_SOURCES},me:recently-played`;

/** The scopes the given sources need, in a stable order. */
function scopesFor(sources: string): string {
  const parsed = splitSourceList(sources).map(parseSourceRef);
  const problems = parsed.flatMap((entry) => (isSourceRef(entry) ? [] : [entry.problem]));
  if (problems.length > 0)
    throw new UsageError(`--sources: ${problems.join('; ')}. ${SOURCE_REFERENCE_HELP}`);
  return [...new Set(parsed.filter(isSourceRef).flatMap((source) => source.scopes))].sort().join(' ');
}

const USAGE = `Usage: npm run spotify:authorize -- --client-id <id> [options]

Authorizes the pipeline to read your Spotify data (user-token mode) and prints a refresh token,
with the date of the authorization: Spotify's refresh tokens expire six months after it.
First add this redirect URI to your app in Spotify's developer dashboard (Spotify refuses
"localhost"; a loopback address is fine):
  http://127.0.0.1:<port>/callback        (default port 8888)

Options:
  --client-id ID     the Spotify app's client id (default: $SPOTIFY_CLIENT_ID)
  --port N           loopback port for the redirect URI (default 8888)
  --stage NAME       stage used in the printed SSM commands (default dev)
  --sources "A,B"    the sources you will run; the scopes asked for are the ones they need
                     (default: $DEFAULT_SOURCES, else ${SCHEDULED_SOURCES})
  --scope "A B"      ask for exactly these scopes instead
  --timeout S        seconds to wait for the browser (default 300)
  --help             show this help
Environment: SPOTIFY_ACCOUNTS_URL (default ${DEFAULT_SPOTIFY_ACCOUNTS_URL}).`;

async function main(): Promise<number> {
  const values = parseFlags({
    'client-id': { type: 'string' },
    port: { type: 'string', default: '8888' },
    stage: { type: 'string', default: 'dev' },
    sources: { type: 'string' },
    scope: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const clientId = values['client-id'] ?? process.env.SPOTIFY_CLIENT_ID?.trim();
  if (!clientId) throw new UsageError('--client-id (or SPOTIFY_CLIENT_ID) is required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, got "${values.port}"`);
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout must be a number of seconds, got "${values.timeout}"`);
  if (!/^[A-Za-z0-9-]+$/.test(values.stage))
    throw new UsageError(`--stage must be a stage name, got "${values.stage}"`);

  const accountsUrl = process.env.SPOTIFY_ACCOUNTS_URL?.trim() || DEFAULT_SPOTIFY_ACCOUNTS_URL;
  const result = await authorize({
    clientId,
    accountsUrl,
    port,
    scopes:
      values.scope ?? scopesFor(values.sources ?? (process.env.DEFAULT_SOURCES?.trim() || SCHEDULED_SOURCES)),
    timeoutMs: timeout * 1000,
    openUrl: (url, redirectUri) => {
      console.log(`Redirect URI (must be registered with the app): ${redirectUri}`);
      console.log(`Open this URL in a browser, log in and approve access:\n\n  ${url}\n`);
      console.log('Waiting for Spotify to redirect back...');
    },
  });

  const prefix = `/spotify-etl-pipeline/${values.stage}`;
  const authorizedAt = new Date().toISOString();
  const stored = serializeStoredRefreshToken({ refreshToken: result.refreshToken, authorizedAt });
  const expires = new Date(Date.parse(authorizedAt) + 182 * 86_400_000).toISOString().slice(0, 10);
  console.log(`\nAuthorized (scopes: ${result.scope || 'none reported'}).`);
  console.log(`Refresh token: ${result.refreshToken}`);
  console.log(`It expires around ${expires}, six months from now; runs warn from five months on.\n`);
  console.log(
    'Store it with the date (and the client id) in SSM Parameter Store, then deploy in user-token mode:\n',
  );
  console.log(
    `  aws ssm put-parameter --type SecureString --overwrite --name ${prefix}/refresh-token --value '${stored}'`,
  );
  console.log(
    `  aws ssm put-parameter --type SecureString --overwrite --name ${prefix}/client-id --value '${clientId}'`,
  );
  console.log(`  npx sls deploy --stage ${values.stage} --param="spotifyAuthMode=user_token"\n`);
  console.log(
    'Or run locally (your top tracks by default; add --source playlist:<id> for playlists you own):',
  );
  console.log(`  SPOTIFY_CLIENT_ID=${clientId} SPOTIFY_REFRESH_TOKEN='${stored}' npm run local`);
  return 0;
}

export const command: Command = { usage: USAGE, main };

// Run as the entry point (npm run ...); a test imports `command` and runs it in the test's process (test/helpers/run-in-process.ts).
if (require.main === module) runCommand(command);
