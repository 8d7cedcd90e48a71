import type { Response } from 'express';

/**
 * Server-sent events on an express response. Headers go out with the first event, so an error
 * before it (a 404, a 400) is still an ordinary JSON error response.
 */
export class SseStream {
  private started = false;

  constructor(private readonly res: Response) {}

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  /** `event: <name>` with `data` as JSON; or, with no name, a bare `data:` line (OpenAI's stream style). */
  send(event: string | undefined, data: unknown): void {
    if (!this.open) return;
    this.start();
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    this.res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
  }

  /** A comment line (ignored by clients): keeps an idle stream open through proxies. */
  comment(text: string): void {
    if (!this.open) return;
    this.start();
    this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    if (!this.open) return;
    this.start();
    this.res.end();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.status(200);
    this.res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('cache-control', 'no-cache');
    this.res.setHeader('connection', 'keep-alive');
    this.res.setHeader('x-accel-buffering', 'no'); // no proxy buffering
    this.res.flushHeaders();
  }

  get headersSent(): boolean {
    return this.started;
  }
}

/** An AbortSignal that fires when the client goes away before the response is complete. */
export function abortOnClose(res: Response): AbortSignal {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}
