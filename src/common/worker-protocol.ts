import { parentPort, type Transferable } from 'node:worker_threads';

/** A request to a worker thread: an id the reply carries back, and the work. */
export interface WorkerEnvelope<Req> {
  id: number;
  req: Req;
}

/** What a worker thread sends back for a request: events while it works, then one result or error. */
export type WorkerReplyMessage =
  | { id: number; kind: 'ok'; result: unknown }
  | { id: number; kind: 'event'; event: unknown }
  | {
      id: number;
      kind: 'error';
      name: string;
      message: string;
      details?: Record<string, unknown>;
    };

/** A handler's result, with the buffers to transfer rather than copy. */
export interface WorkerResult {
  result: unknown;
  transfer?: Transferable[];
}

/**
 * The worker side: runs `handle` for each request (concurrently, as they arrive) and replies with
 * its result, or the error's name, message and `details` (so the caller can rebuild a domain
 * error), and forwards what `emit` is given as events of that request.
 */
export function serveRequests<Req>(
  handle: (req: Req, emit: (event: unknown) => void, id: number) => Promise<WorkerResult>,
): void {
  const port = parentPort;
  if (!port) throw new Error('this script must run in a worker thread');
  port.on('message', (msg: WorkerEnvelope<Req>) => {
    const emit = (event: unknown) =>
      port.postMessage({ id: msg.id, kind: 'event', event } satisfies WorkerReplyMessage);
    handle(msg.req, emit, msg.id).then(
      ({ result, transfer }) =>
        port.postMessage({ id: msg.id, kind: 'ok', result } satisfies WorkerReplyMessage, transfer),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        const details = (error as { details?: unknown }).details;
        port.postMessage({
          id: msg.id,
          kind: 'error',
          name: error.name,
          message: error.message,
          ...(details && typeof details === 'object'
            ? { details: details as Record<string, unknown> }
            : {}),
        } satisfies WorkerReplyMessage);
      },
    );
  });
}
