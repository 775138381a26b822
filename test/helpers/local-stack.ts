import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebApiCatalog } from '../../functions/commons/clients/spotify/catalog';
import { startLocalS3, type LocalS3 } from '../../scripts/local/local-s3';
import {
  DEFAULT_LOCAL_BUCKET,
  runLocalExecution,
  s3StoreDir,
  type LocalRunOptions,
  type SpotifyTarget,
} from '../../scripts/local/run-local';
import { startSpotifyStandIn, type SpotifyStandIn, type StandInOptions } from '../spotify-stand-in/server';

export interface LocalStack {
  readonly dataDir: string;
  readonly s3: LocalS3;
  readonly spotify: SpotifyStandIn;
  readonly bucket: string;
  /** A whole execution with the app's client credentials (no user). */
  run(options?: Partial<LocalRunOptions>): ReturnType<typeof runLocalExecution>;
  /** A whole execution in user-token mode, with a refresh token the stand-in granted. */
  runAsUser(refreshToken: string, options?: Partial<LocalRunOptions>): ReturnType<typeof runLocalExecution>;
  close(): Promise<void>;
}

/** A real local S3 server and a Spotify stand-in, both on loopback, in a fresh temporary data dir. */
export async function startLocalStack(spotifyOptions: Partial<StandInOptions> = {}): Promise<LocalStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-'));
  const s3 = await startLocalS3(s3StoreDir(dataDir), [DEFAULT_LOCAL_BUCKET]);
  const spotify = await startSpotifyStandIn(spotifyOptions);
  const execute = (target: SpotifyTarget, options: Partial<LocalRunOptions>) => {
    // Every execution starts as a fresh Lambda container would, remembering no refused endpoint.
    WebApiCatalog.forgetRefusals();
    return runLocalExecution({ dataDir, s3Endpoint: s3.endpoint, spotify: target, ...options });
  };
  return {
    dataDir,
    s3,
    spotify,
    bucket: DEFAULT_LOCAL_BUCKET,
    run: (options = {}) => execute(spotify.target(), options),
    runAsUser: (refreshToken, options = {}) =>
      execute(
        { apiUrl: spotify.url, accountsUrl: spotify.url, clientId: spotify.options.clientId, refreshToken },
        options,
      ),
    close: async () => {
      await spotify.close();
      await s3.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
