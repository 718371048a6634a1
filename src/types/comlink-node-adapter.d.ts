/**
 * comlink's Node adapter (worker_threads `Worker` and `MessagePort` as comlink endpoints) ships
 * as an `.mjs` file without types of its own under NodeNext resolution; this declares the one
 * function it exports.
 */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    // `any`, as worker_threads' own listener types have it: a Worker and a MessagePort both fit.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    on(type: string, listener: (value: any) => void): unknown;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    off(type: string, listener: (value: any) => void): unknown;
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
