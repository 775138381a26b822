import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startLocalS3, localS3Client } from '../../scripts/local/local-s3';
it("pages listings past 1,000 keys (s3rver's DES continuation tokens fail on OpenSSL 3)", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'spotify-etl-s3-'));
  const s3 = await startLocalS3(dir, ['b']);
  const c = localS3Client(s3.endpoint);
  for (let i = 0; i < 1005; i += 25)
    await Promise.all(
      Array.from({ length: 25 }, (_, j) =>
        c.send(new PutObjectCommand({ Bucket: 'b', Key: `k/${String(i + j).padStart(5, '0')}`, Body: 'x' })),
      ),
    );
  let n = 0;
  let token: string | undefined;
  do {
    const p = await c.send(new ListObjectsV2Command({ Bucket: 'b', ContinuationToken: token }));
    n += p.Contents?.length ?? 0;
    token = p.NextContinuationToken;
  } while (token);
  expect(n).toBe(1025);
  c.destroy();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
}, 60000);
