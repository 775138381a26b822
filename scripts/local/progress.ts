import path from 'node:path';
import type { keys as keyLayout } from '../../functions/commons/domain/keys';
import type { EventLog } from './state-machine';
import type { LocalRunResult } from './run-local';

/** Console lines for a state machine execution's event log. */
const entered = new Map<string, number>();

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function stateKey(event: { state: { name: string }; index?: number }): string {
  return `${event.state.name}#${event.index ?? ''}`;
}

export function formatEvent(event: EventLog): string | undefined {
  switch (event.type) {
    case 'StateEntered':
      entered.set(stateKey(event), event.timestamp);
      return event.state.type === 'Task' || event.state.type === 'Map'
        ? `▶ ${event.state.name} started`
        : undefined;
    case 'StateExited': {
      const start = entered.get(stateKey(event)) ?? event.timestamp;
      return event.state.type === 'Task' || event.state.type === 'Map'
        ? `✔ ${event.state.name} finished in ${seconds(event.timestamp - start)}`
        : undefined;
    }
    case 'StateRetried':
      return `↻ ${event.state.name} retry ${event.retry.attempt} (${event.retry.retrier.ErrorEquals.join(', ')})`;
    case 'StateFailed': {
      const start = entered.get(stateKey(event)) ?? event.timestamp;
      return `✖ ${event.state.name} failed after ${seconds(event.timestamp - start)}: ${event.Error}`;
    }
    case 'StateCaught':
      return `→ ${event.state.name}: error caught, taking the failure path`;
    default:
      return undefined;
  }
}

interface LoadOutput {
  load?: { rows?: number; csvKey?: string; latestUpdated?: boolean; manifestKey?: string };
}

function loadOutput(output: unknown): LoadOutput['load'] {
  if (typeof output !== 'object' || output === null || !('load' in output)) return undefined;
  const load = (output as LoadOutput).load;
  return typeof load === 'object' ? load : undefined;
}

export function summarize(result: LocalRunResult, cwd: string, keys: typeof keyLayout): string {
  const relative = (file: string) => path.relative(cwd, file) || file;
  if (result.status === 'FAILED') {
    return [
      `Execution FAILED in ${seconds(result.durationMs)} (${result.executionName})`,
      `  error: ${result.error ?? 'unknown'}`,
      `  cause: ${result.cause ?? ''}`,
      ...result.notifications.map(
        (notification) => `  alert: the failure path published to the alerts topic (${notification.state})`,
      ),
    ].join('\n');
  }
  const load = loadOutput(result.output);
  const lines = [
    `Execution SUCCEEDED in ${seconds(result.durationMs)} (${result.executionName}): ${load?.rows ?? 0} rows written`,
  ];
  if (load?.csvKey) lines.push(`  CSV:      ${relative(result.fileOf(load.csvKey))}`);
  if (load?.latestUpdated) lines.push(`  latest:   ${relative(result.fileOf(keys.latestCsv()))}`);
  else lines.push('  latest:   unchanged (a newer date is already there)');
  if (load?.manifestKey) lines.push(`  manifest: ${relative(result.fileOf(load.manifestKey))}`);
  return lines.join('\n');
}
