/**
 * One Lambda container, as a child process: loads a bundled handler (the zip's own handler.js),
 * then invokes it once per `invoke` message from the bench and answers with the time of the handler
 * call alone and the process's peak RSS so far. The bench bundles this file with esbuild before it
 * spawns it, so neither tsx nor TypeScript compilation is in the measured process.
 *
 * Protocol (IPC): worker `ready` -> bench `invoke` -> worker `done` -> ... -> bench `exit`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as z from 'zod/mini';
import { lambdaContext } from '../local/state-machine';

type LambdaHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const specSchema = z.object({
  handlerFile: z.string(),
  functionName: z.string(),
  timeoutSeconds: z.number(),
});

const messageSchema = z.union([
  z.object({ type: z.literal('invoke'), event: z.unknown() }),
  z.object({ type: z.literal('exit') }),
]);

type WorkerReply =
  | { type: 'ready'; initMs: number; baselineRssKb: number; rssAfterInitKb: number }
  | { type: 'done'; ms: number; peakRssKb: number; maxRssKb: number; result: unknown }
  | { type: 'failed'; ms: number; error: string };

const isHandler = (value: unknown): value is LambdaHandler => typeof value === 'function';

/**
 * Peak RSS of this process, KB: VmHWM, the high-water mark of this address space. Not
 * `process.resourceUsage().maxRSS`: on Linux that survives exec, so a child reports at least the RSS
 * its parent (the bench, with its servers) had when it was spawned.
 */
function peakRssKb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match?.[1] ? Number(match[1]) : process.resourceUsage().maxRSS;
}

function reply(message: WorkerReply): void {
  if (!process.send) throw new Error('handler-worker must be spawned with an IPC channel');
  process.send(message);
}

function main(): void {
  const spec = specSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const baselineRssKb = peakRssKb();
  const started = process.hrtime.bigint();
  const loaded: unknown = createRequire(__filename)(spec.handlerFile);
  const handler: unknown =
    typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'handler') : undefined;
  if (!isHandler(handler)) throw new Error(`${spec.handlerFile} exports no handler function`);
  const initMs = Number(process.hrtime.bigint() - started) / 1e6;
  reply({ type: 'ready', initMs, baselineRssKb, rssAfterInitKb: peakRssKb() });

  process.on('message', (raw: unknown) => {
    const message = messageSchema.parse(raw);
    if (message.type === 'exit') {
      process.disconnect();
      return;
    }
    const context = lambdaContext(spec.functionName, spec.timeoutSeconds);
    const begin = process.hrtime.bigint();
    handler(message.event, context).then(
      (result) => {
        const ms = Number(process.hrtime.bigint() - begin) / 1e6;
        reply({
          type: 'done',
          ms,
          peakRssKb: peakRssKb(),
          maxRssKb: process.resourceUsage().maxRSS,
          result,
        });
      },
      (error: unknown) => {
        const ms = Number(process.hrtime.bigint() - begin) / 1e6;
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        reply({ type: 'failed', ms, error: text });
      },
    );
  });
}

main();
