import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { LOCAL_S3_CREDENTIALS, localS3Client } from '../../scripts/local/local-s3';
import type { LocalStack } from './local-stack';

/** Points the handlers' environment at a local stack, as the deployed Lambdas' settings would. */
export function useStackEnvironment(stack: LocalStack, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    DATA_BUCKET: stack.bucket,
    S3_ENDPOINT: stack.s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    SPOTIFY_API_URL: stack.spotify.url,
    SPOTIFY_ACCOUNTS_URL: stack.spotify.url,
    SPOTIFY_CLIENT_ID: stack.spotify.options.clientId,
    SPOTIFY_CLIENT_SECRET: stack.spotify.options.clientSecret,
    SPOTIFY_RETRY_BASE_MS: '10',
    ...extra,
  });
}

export async function listKeys(stack: LocalStack, prefix = ''): Promise<string[]> {
  const s3 = localS3Client(stack.s3.endpoint);
  const response = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
  s3.destroy();
  return (response.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])).sort();
}

export async function readObject(stack: LocalStack, key: string): Promise<string> {
  const s3 = localS3Client(stack.s3.endpoint);
  const response = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  const text = (await response.Body?.transformToString('utf-8')) ?? '';
  s3.destroy();
  return text;
}

export async function readBytes(stack: LocalStack, key: string): Promise<Uint8Array> {
  const s3 = localS3Client(stack.s3.endpoint);
  const response = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
  s3.destroy();
  return bytes;
}
