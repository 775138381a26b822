import { S3Client } from '@aws-sdk/client-s3';
import { storageConfig } from '../config';
import { memoize } from './memoize';
import { type ObjectStore, S3ObjectStore } from './object-store';

/** Composition root for the bucket: every step needs it; only Extract needs Spotify and SSM. */
type Env = NodeJS.ProcessEnv;

export function objectStore(env: Env = process.env): ObjectStore {
  const { bucket, endpoint } = storageConfig(env);
  return memoize(`s3|${bucket}|${endpoint ?? ''}`, () => {
    const client = new S3Client(
      endpoint
        ? {
            endpoint,
            forcePathStyle: true,
            region: env.AWS_REGION ?? 'us-east-1',
            // S3-compatible servers do not all speak the newer flexible checksums.
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {},
    );
    return new S3ObjectStore(client, bucket);
  });
}
