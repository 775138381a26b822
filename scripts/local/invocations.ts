import { AsyncLocalStorage } from 'node:async_hooks';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

type InvocationContext = Record<string | symbol, unknown>;

/**
 * The Lambda runtime's per-invocation store, as the runtime provides it where invocations share
 * an execution environment (Lambda Managed Instances): one AsyncLocalStorage context per
 * invocation. Locally, every Lambda of an execution runs in this one process, the Map's
 * iterations at the same time; on AWS each has an environment of its own.
 */
class LocalInvokeStore extends InvokeStoreBase {
  readonly #storage = new AsyncLocalStorage<InvocationContext>();

  getContext(): InvocationContext | undefined {
    return this.#storage.getStore();
  }

  hasContext(): boolean {
    return this.#storage.getStore() !== undefined;
  }

  // The signatures of get and set are InvokeStoreBase's, whose callers name the type they expect.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.#storage.getStore()?.[key] as T | undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key))
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const context = this.#storage.getStore();
    if (!context) throw new Error('No invocation context to set a value in');
    context[key] = value;
  }

  run<T>(context: InvocationContext, fn: () => T): T {
    return this.#storage.run(context, fn);
  }
}

let installed: Promise<LocalInvokeStore | undefined> | undefined;

const NO_GLOBAL_WARNING =
  'AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set, so the local runner cannot give each Lambda ' +
  'invocation a log context of its own: log lines of concurrent Map iterations may name another ' +
  "iteration's function and source. Unset it for logs you can trust.";

/**
 * Runs one Lambda invocation in a context of its own. Powertools keeps a handler's log keys (the
 * run id and source it appends) and its Lambda context per invocation when the runtime says that
 * invocations may run concurrently (AWS_LAMBDA_MAX_CONCURRENCY) and provides this store; without
 * them, concurrent iterations overwrote each other's keys, and a log line could name another
 * function and another source than the one that wrote it.
 */
export async function runAsInvocation<T>(requestId: string, invoke: () => Promise<T>): Promise<T> {
  installed ??= installStore();
  const store = await installed;
  if (!store) return invoke();
  // What the runtime sets where invocations share an environment (Powertools only asks that it is
  // set), each time: a local execution puts back the process's own variables when it ends.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, invoke);
}

/**
 * The store, where Powertools looks for it. Not when AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA keeps
 * the runtime's global away: Powertools would then fail every log call for want of the store.
 */
async function installStore(): Promise<LocalInvokeStore | undefined> {
  // The package hands every later caller (the AWS SDK, which asks it for trace ids) the store it
  // made first. Made before AWS_LAMBDA_MAX_CONCURRENCY is set, that is its plain single-context store:
  // the concurrent one loads node:async_hooks by a dynamic import, which jest's module loader
  // cannot run.
  await InvokeStore.getInstanceAsync();
  const runtime: { awslambda?: { InvokeStore?: InvokeStoreBase } } = globalThis;
  if (!runtime.awslambda) {
    console.warn(NO_GLOBAL_WARNING);
    return undefined;
  }
  const store = new LocalInvokeStore();
  runtime.awslambda.InvokeStore = store;
  return store;
}
