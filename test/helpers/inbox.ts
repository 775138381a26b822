import { PutObjectCommand } from '@aws-sdk/client-s3';
import { localS3Client } from '../../scripts/local/local-s3';
import { prepareFile } from '../../scripts/import/prepare';
import { exportFileText, type SampleExportFile } from '../spotify-stand-in/sample-export';
import type { LocalStack } from './local-stack';

/** What the import CLI uploads to the inbox: each export file checked and stripped on "this machine" first. */
export async function uploadPrepared(
  stack: LocalStack,
  prefix: string,
  files: readonly SampleExportFile[],
  includeIncognito = false,
): Promise<void> {
  const s3 = localS3Client(stack.s3.endpoint);
  for (const file of files) {
    const body = Buffer.from(exportFileText(file));
    const prepared = await prepareFile(
      { name: file.name, origin: file.name, bytes: body.length, read: () => Promise.resolve(body) },
      { includeIncognito },
    );
    await s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: `${prefix}${file.name}`, Body: prepared.body }),
    );
  }
  s3.destroy();
}
