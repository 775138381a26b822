import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Every published file (curated/ and latest/) in a bucket mirror, by key, with its content. */
export async function publishedFiles(bucketDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const prefix of ['curated', 'latest']) {
    const entries = await readdir(path.join(bucketDir, prefix), {
      recursive: true,
      withFileTypes: true,
    }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      files[path.relative(bucketDir, file).split(path.sep).join('/')] = await readFile(file, 'utf8');
    }
  }
  return files;
}

/** Every file in a bucket mirror (raw/, staging/, runs/, state/ too), gzipped ones unpacked, by key. */
export async function everyFile(bucketDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const entries = await readdir(bucketDir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    files[path.relative(bucketDir, file).split(path.sep).join('/')] = file.endsWith('.gz')
      ? gunzipSync(bytes).toString('utf8')
      : bytes.toString('utf8');
  }
  return files;
}
