import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { z } from 'zod';
import { PROJECT_ROOT } from '../local/project-files';

/**
 * Builds scripts/bench/handler-worker.ts into one plain CommonJS file. Every import is marked free
 * of side effects, so what the worker does not use (scripts/local/state-machine.ts brings the local
 * Step Functions engine, YAML and classic zod) is dropped and never loaded in the measured process.
 */
export async function buildWorker(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'handler-worker.cjs');
  const pure: Plugin = {
    name: 'side-effect-free',
    setup(setupBuild) {
      setupBuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === 'resolving') return undefined;
        const resolved = await setupBuild.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'resolving',
        });
        return { ...resolved, sideEffects: false };
      });
    },
  };
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'scripts', 'bench', 'handler-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    plugins: [pure],
    logLevel: 'error',
  });
  return outfile;
}

const replySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    initMs: z.number(),
    baselineRssKb: z.number(),
    rssAfterInitKb: z.number(),
  }),
  z.object({
    type: z.literal('done'),
    ms: z.number(),
    peakRssKb: z.number(),
    maxRssKb: z.number(),
    result: z.unknown(),
  }),
  z.object({ type: z.literal('failed'), ms: z.number(), error: z.string() }),
]);
type Reply = z.infer<typeof replySchema>;
export type Ready = Extract<Reply, { type: 'ready' }>;
export type Invocation = Extract<Reply, { type: 'done' }>;

export interface WorkerSpec {
  readonly workerFile: string;
  readonly handlerFile: string;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  /** Node flags of the process (the Lambda runtime's, see lambdaNodeArgs). */
  readonly nodeArgs: readonly string[];
  /** The whole environment of the process (nothing is inherited from the bench but PATH). */
  readonly env: Record<string, string>;
}

export interface Worker {
  readonly ready: Ready;
  invoke(event: unknown): Promise<Invocation>;
  /** Bytes the handler wrote to stdout (its logs and EMF metrics), so far. */
  logBytes(): number;
  close(): Promise<void>;
}

/** Spawns one worker process: a fresh "container" whose first invocation is a cold one. */
export async function startWorker(spec: WorkerSpec): Promise<Worker> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...spec.nodeArgs,
      spec.workerFile,
      JSON.stringify({
        handlerFile: spec.handlerFile,
        functionName: spec.functionName,
        timeoutSeconds: spec.timeoutSeconds,
      }),
    ],
    {
      cwd: path.dirname(spec.handlerFile),
      env: { PATH: process.env.PATH ?? '', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let logBytes = 0;
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (logBytes += chunk.length));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const pending: ((reply: Reply) => void)[] = [];
  const queued: Reply[] = [];
  child.on('message', (raw: unknown) => {
    const reply = replySchema.parse(raw);
    const waiter = pending.shift();
    if (waiter) waiter(reply);
    else queued.push(reply);
  });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const ready = queued.shift();
      if (ready) return resolve(ready);
      pending.push(resolve);
      void exited.then((code) =>
        reject(new Error(`${spec.functionName} worker exited (${String(code)}): ${stderr.slice(-2000)}`)),
      );
    });

  const first = await next();
  if (first.type !== 'ready') throw new Error(`${spec.functionName} worker did not start`);
  return {
    ready: first,
    async invoke(event) {
      child.send({ type: 'invoke', event });
      const reply = await next();
      if (reply.type === 'failed') throw new Error(`${spec.functionName} failed: ${reply.error}`);
      if (reply.type !== 'done') throw new Error(`${spec.functionName}: unexpected ${reply.type}`);
      return reply;
    },
    logBytes: () => logBytes,
    async close() {
      if (child.connected) child.send({ type: 'exit' });
      await exited;
    },
  };
}
