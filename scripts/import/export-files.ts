import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { openPromise, type Entry, type ZipFile } from 'yauzl';
import { ExportFileInvalid } from '../../functions/commons/errors';
import {
  ACCOUNT_DATA_HINT,
  exportFileNameKind,
  fileNameProblem,
  MAX_EXPORT_FILE_BYTES,
  MAX_EXPORT_FILES,
} from '../../functions/sources/streaming-history';

/** One file of the export, found on disk or in the zip; its bytes are read only when needed. */
export interface ExportFile {
  readonly name: string;
  /** Where it was found, for messages: a path, or `<zip>:<entry>`. */
  readonly origin: string;
  readonly bytes: number;
  read(): Promise<Buffer>;
}

export interface FoundFiles {
  readonly files: ExportFile[];
  /** Archives opened to find them (closed by `close`). */
  close(): void;
}

/** More entries than any export has: a zip with more is not Spotify's. */
const MAX_ZIP_ENTRIES = 10_000;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function tooLarge(origin: string, bytes: number): ExportFileInvalid {
  return new ExportFileInvalid(
    `${origin} is ${mib(bytes)}, more than the ${mib(MAX_EXPORT_FILE_BYTES)} a file of the export may be ` +
      "(Spotify's are about 12 MB). Nothing was imported.",
  );
}

async function readBounded(stream: Readable, origin: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buffer.length;
    // A zip entry that inflates past its declared size (a decompression bomb) stops here.
    if (total > MAX_EXPORT_FILE_BYTES) {
      stream.destroy();
      throw tooLarge(origin, total);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function filesInZip(
  zipPath: string,
): Promise<{ files: ExportFile[]; zip: ZipFile; accountData: number }> {
  const shown = path.basename(zipPath);
  let zip: ZipFile;
  try {
    zip = await openPromise(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (error) {
    throw new ExportFileInvalid(
      `${shown} is not a zip archive Spotify's export could be (${error instanceof Error ? error.message : String(error)}). Nothing was imported.`,
    );
  }
  const files: ExportFile[] = [];
  let entries = 0;
  let accountData = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      entries += 1;
      if (entries > MAX_ZIP_ENTRIES) {
        throw new ExportFileInvalid(
          `${shown} has more than ${MAX_ZIP_ENTRIES} entries: it is not Spotify's export. Nothing was imported.`,
        );
      }
      const name = path.posix.basename(entry.fileName);
      const kind = exportFileNameKind(name);
      if (kind === 'account_data') accountData += 1;
      if (entry.fileName.endsWith('/') || kind !== 'export') continue;
      const origin = `${shown}:${entry.fileName}`;
      if (entry.uncompressedSize > MAX_EXPORT_FILE_BYTES) throw tooLarge(origin, entry.uncompressedSize);
      files.push(zipEntryFile(zip, entry, name, origin));
    }
  } catch (error) {
    zip.close();
    if (error instanceof ExportFileInvalid) throw error;
    // yauzl refuses absolute paths and `..` in entry names (zip-slip) and damaged archives.
    throw new ExportFileInvalid(
      `${shown} cannot be read as Spotify's export: ${error instanceof Error ? error.message : String(error)}. Nothing was imported.`,
    );
  }
  return { files, zip, accountData };
}

function zipEntryFile(zip: ZipFile, entry: Entry, name: string, origin: string): ExportFile {
  return {
    name,
    origin,
    bytes: entry.uncompressedSize,
    read: async () => {
      try {
        return await readBounded(await zip.openReadStreamPromise(entry), origin);
      } catch (error) {
        if (error instanceof ExportFileInvalid) throw error;
        throw new ExportFileInvalid(
          `${origin} cannot be unpacked (${error instanceof Error ? error.message : String(error)}). Nothing was imported.`,
        );
      }
    },
  };
}

function diskFile(file: string, bytes: number): ExportFile {
  return {
    name: path.basename(file),
    origin: file,
    bytes,
    read: async () => {
      if (bytes > MAX_EXPORT_FILE_BYTES) throw tooLarge(file, bytes);
      return readFile(file);
    },
  };
}

/** Export files in a folder and its subfolders (the zip unpacks into "Spotify Extended Streaming History/"). */
async function filesInFolder(folder: string): Promise<{ files: ExportFile[]; accountData: number }> {
  const files: ExportFile[] = [];
  let accountData = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const kind = exportFileNameKind(entry.name);
    if (kind === 'account_data') accountData += 1;
    if (kind !== 'export') continue;
    const file = path.join(entry.parentPath, entry.name);
    files.push(diskFile(file, (await stat(file)).size));
  }
  return { files, accountData };
}

/**
 * The export files the user pointed at: the zip Spotify sends, the folder it unpacks to, or some
 * of its JSON files. Other files of the export (the PDF, the account-data files) are passed over;
 * a JSON file named otherwise, given on its own, is refused.
 */
export async function findExportFiles(paths: readonly string[]): Promise<FoundFiles> {
  const files: ExportFile[] = [];
  const zips: ZipFile[] = [];
  const close = () => {
    for (const zip of zips) zip.close();
  };
  try {
    for (const given of paths) {
      const info = await stat(given).catch(() => undefined);
      if (!info) throw new ExportFileInvalid(`${given} does not exist. Nothing was imported.`);
      let found: { files: ExportFile[]; accountData: number };
      if (info.isDirectory()) found = await filesInFolder(given);
      else if (given.toLowerCase().endsWith('.zip')) {
        const inZip = await filesInZip(given);
        zips.push(inZip.zip);
        found = inZip;
      } else {
        const problem = fileNameProblem(path.basename(given));
        if (problem) throw new ExportFileInvalid(`${problem}. Nothing was imported.`);
        found = { files: [diskFile(given, info.size)], accountData: 0 };
      }
      if (found.files.length === 0) {
        throw new ExportFileInvalid(
          `${given} holds no file of the streaming-history export (Streaming_History_Audio_*.json)` +
            `${found.accountData > 0 ? `. ${ACCOUNT_DATA_HINT}` : ''}. Nothing was imported.`,
        );
      }
      files.push(...found.files);
    }
    const byName = new Map<string, ExportFile>();
    for (const file of files) {
      const twin = byName.get(file.name);
      if (twin) {
        throw new ExportFileInvalid(
          `${file.name} was given twice (${twin.origin} and ${file.origin}): import one export at a time. Nothing was imported.`,
        );
      }
      byName.set(file.name, file);
    }
    if (files.length > MAX_EXPORT_FILES) {
      throw new ExportFileInvalid(
        `${files.length} export files, more than ${MAX_EXPORT_FILES} in one import: import them in several runs. Nothing was imported.`,
      );
    }
    files.sort((a, b) => a.name.localeCompare(b.name));
    return { files, close };
  } catch (error) {
    close();
    throw error;
  }
}
