// The one Node API the Worker uses (worker/lib/metrics.ts, with wrangler.toml's nodejs_compat):
// workerd's AsyncLocalStorage. Declared here rather than pulling @types/node into the Worker's types.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
