import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EventLog } from './state-machine';
import type { LocalRunResult } from './run-local';

/** Console lines for a state machine execution's event log. */
const entered = new Map<string, number>();

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The source a Map iteration's state works on (its input carries it), for the console line. */
function sourceOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('source' in input)) return undefined;
  const source: unknown = input.source;
  return typeof source === 'object' && source !== null && 'ref' in source && typeof source.ref === 'string'
    ? source.ref
    : undefined;
}

function label(event: { state: { name: string; input: unknown } }): string {
  const source = sourceOf(event.state.input);
  return source ? `${event.state.name} [${source}]` : event.state.name;
}

function stateKey(event: { state: { name: string; input: unknown } }): string {
  return label(event);
}

export function formatEvent(event: EventLog): string | undefined {
  switch (event.type) {
    case 'StateEntered':
      entered.set(stateKey(event), event.timestamp);
      return event.state.type === 'Task' || event.state.type === 'Map'
        ? `▶ ${label(event)} started`
        : undefined;
    case 'StateExited': {
      const start = entered.get(stateKey(event)) ?? event.timestamp;
      return event.state.type === 'Task' || event.state.type === 'Map'
        ? `✔ ${label(event)} finished in ${seconds(event.timestamp - start)}`
        : undefined;
    }
    case 'StateRetried':
      return `↻ ${label(event)} retry ${event.retry.attempt} (${event.retry.retrier.ErrorEquals.join(', ')})`;
    case 'StateFailed': {
      const start = entered.get(stateKey(event)) ?? event.timestamp;
      return `✖ ${label(event)} failed after ${seconds(event.timestamp - start)}: ${event.Error}`;
    }
    case 'StateCaught':
      return `→ ${label(event)}: error caught, taking the failure path`;
    default:
      return undefined;
  }
}

const manifestSchema = z.looseObject({
  status: z.string(),
  warnings: z.array(z.string()),
  rowsWritten: z.number(),
  sources: z.array(
    z.looseObject({
      source: z.string(),
      status: z.string(),
      rowsWritten: z.number().optional(),
      published: z.array(z.string()),
      publishedTotal: z.number().optional(),
      error: z.string().optional(),
      cause: z.string().optional(),
    }),
  ),
});

function readManifest(file: string): z.infer<typeof manifestSchema> | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** The console summary of a local execution: per source what was published where, or why not. */
export function summarize(result: LocalRunResult, cwd: string, manifestKey: string): string {
  const relative = (file: string) => path.relative(cwd, file) || file;
  const manifest = readManifest(result.fileOf(manifestKey));
  const lines = [
    result.status === 'FAILED'
      ? `Execution FAILED in ${seconds(result.durationMs)} (${result.executionName})`
      : `Execution SUCCEEDED in ${seconds(result.durationMs)} (${result.executionName}): ${manifest?.rowsWritten ?? 0} rows written`,
  ];
  for (const source of manifest?.sources ?? []) {
    if (source.status === 'succeeded') {
      lines.push(`  ✔ ${source.source}: ${source.rowsWritten ?? 0} rows`);
      for (const key of source.published) lines.push(`      ${relative(result.fileOf(key))}`);
      const more = (source.publishedTotal ?? source.published.length) - source.published.length;
      if (more > 0) lines.push(`      and ${more} more`);
    } else {
      lines.push(`  ✖ ${source.source}: ${source.error ?? 'failed'}: ${source.cause ?? ''}`);
    }
  }
  for (const warning of manifest?.warnings ?? []) lines.push(`  ⚠ ${warning}`);
  if (manifest) lines.push(`  manifest: ${relative(result.fileOf(manifestKey))}`);
  if (result.status === 'FAILED') {
    lines.push(`  error: ${result.error ?? 'unknown'}`, `  cause: ${result.cause ?? ''}`);
    for (const notification of result.notifications) {
      lines.push(`  alert: the failure path published to the alerts topic (${notification.state})`);
    }
  }
  return lines.join('\n');
}
