import { z } from 'zod';
import type { PreparedFile } from './prepare';

/** The parts of a run manifest an import's summary reads (functions/finalize/manifest.ts writes it). */
const importManifestSchema = z.looseObject({
  status: z.string(),
  rowsWritten: z.number().optional(),
  sources: z.array(
    z.looseObject({
      status: z.string(),
      skipped: z.record(z.string(), z.number()).optional(),
      plays: z
        .object({ added: z.number(), mergedWithApi: z.number(), alreadyPresent: z.number() })
        .optional(),
      publishedTotal: z.number().optional(),
      error: z.string().optional(),
      cause: z.string().optional(),
    }),
  ),
  import: z.looseObject({ inboxDeleted: z.boolean() }).optional(),
  error: z.looseObject({ name: z.string().optional(), message: z.string().optional() }).optional(),
});
export type ImportManifest = z.infer<typeof importManifestSchema>;

export function parseImportManifest(text: string): ImportManifest | undefined {
  try {
    const parsed = importManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const SKIP_WORDS: Record<string, string> = {
  incognito: 'private-session plays',
  episode: 'podcast episodes',
  audiobook: 'audiobook chapters',
  invalid: 'malformed elements',
  unavailable: 'plays of content Spotify no longer has',
  duplicate: 'duplicates within the export',
  null_item: 'empty elements',
  local_file: 'local files',
};

/** The plays an import added, merged and skipped, summed over its files. */
export function importTotals(manifest: ImportManifest, prepared: readonly PreparedFile[]) {
  const plays = { added: 0, mergedWithApi: 0, alreadyPresent: 0 };
  const skipped: Record<string, number> = {};
  let published = 0;
  for (const source of manifest.sources) {
    if (source.status !== 'succeeded') continue;
    published += 1;
    plays.added += source.plays?.added ?? 0;
    plays.mergedWithApi += source.plays?.mergedWithApi ?? 0;
    plays.alreadyPresent += source.plays?.alreadyPresent ?? 0;
    for (const [reason, count] of Object.entries(source.skipped ?? {}))
      skipped[reason] = (skipped[reason] ?? 0) + count;
  }
  // Private-session plays were left on this machine, so the pipeline never saw them: count them here.
  const leftHere = prepared.reduce((sum, file) => sum + file.dropped.incognito, 0);
  if (leftHere > 0) skipped.incognito = (skipped.incognito ?? 0) + leftHere;
  return { plays, skipped, published };
}

/** The lines an import ends with: what it added, merged and skipped, and where the data is. */
export function summarizeImport(
  manifest: ImportManifest | undefined,
  prepared: readonly PreparedFile[],
  where: { readonly curated: string; readonly manifest: string },
): string[] {
  if (!manifest) return [`No run manifest was found at ${where.manifest}.`];
  const { plays, skipped, published } = importTotals(manifest, prepared);
  const lines: string[] = [];
  if (manifest.status === 'succeeded') {
    lines.push(`Imported ${prepared.length} file${prepared.length === 1 ? '' : 's'}:`);
  } else if (published === 0) {
    lines.push('Import FAILED: nothing from it was published (the curated data is as it was).');
  } else {
    lines.push(
      `Import FAILED part way: ${published} of ${prepared.length} files were published. Run the same import again to ` +
        'finish it: plays already there are not added twice.',
    );
  }
  if (published > 0) {
    lines.push(
      `  plays: ${plays.added} added, ${plays.mergedWithApi} merged with plays the API reported, ` +
        `${plays.alreadyPresent} already there`,
    );
  }
  const skippedText = Object.entries(skipped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${SKIP_WORDS[reason] ?? reason}`);
  if (skippedText.length > 0) lines.push(`  skipped: ${skippedText.join(', ')}`);
  for (const source of manifest.sources) {
    if (source.status === 'failed') lines.push(`  ✖ ${source.error ?? 'failed'}: ${source.cause ?? ''}`);
  }
  if (manifest.error?.name) lines.push(`  ✖ ${manifest.error.name}: ${manifest.error.message ?? ''}`);
  if (published > 0) lines.push(`  dataset: ${where.curated}`);
  lines.push(`  manifest: ${where.manifest}`);
  if (manifest.import?.inboxDeleted) lines.push('  inbox: the uploaded files were deleted');
  else lines.push('  inbox: the uploaded files were kept for another try (they expire after a week)');
  return lines;
}
