import { ModelUnavailableError, ServerBusyError } from '../../../common/errors';
import type { RemoteFailureKind } from '../../../common/telemetry';
import type { ReplicaStatus } from '../../model-status';
import { ReplicaFailure, UpstreamBusy, displayUrl } from './remote-http';

interface Replica {
  url: string;
  status: ReplicaStatus;
  backoffMs: number;
  timer?: NodeJS.Timeout;
  probing?: Promise<boolean>;
}

export interface ReplicaPoolOptions {
  /** The model the replicas serve (for error messages). */
  model: string;
  /** Checks a replica; throws when it cannot serve. */
  probe: (url: string) => Promise<void>;
  /** Longest wait between two probes of a down replica. */
  probeMaxMs: number;
  /** Called when a replica goes up or down. */
  onChange?: (url: string, state: 'up' | 'down', reason?: string) => void;
  /** Called each time a call or a probe fails and takes a replica out (for the metrics). */
  onFailure?: (url: string, kind: RemoteFailureKind) => void;
}

export interface RunOptions {
  /** Embeddings and rerank: tried again on another replica when one fails. */
  idempotent: boolean;
}

const FIRST_PROBE_MS = 250;
const RETRY_BACKOFF_MS = 50;
const EWMA = 0.2;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The replicas of one remote model: each call goes to the replica with the fewest calls in flight
 * (ties taken in turn); a replica that fails or times out is taken out of service and probed back
 * in, with backoff, in the background. Idempotent calls are tried again on another replica.
 */
export class ReplicaPool {
  private readonly replicas: Replica[];
  private turn = 0;
  private closed = false;

  constructor(
    urls: string[],
    private readonly options: ReplicaPoolOptions,
  ) {
    this.replicas = urls.map((url) => ({
      url,
      backoffMs: FIRST_PROBE_MS,
      status: {
        url: displayUrl(url),
        state: 'unknown',
        inFlight: 0,
        latencyMs: null,
        requests: 0,
        failures: 0,
      },
    }));
  }

  get anyUp(): boolean {
    return this.replicas.some((r) => r.status.state === 'up');
  }

  get upCount(): number {
    return this.replicas.filter((r) => r.status.state === 'up').length;
  }

  /** Every replica's latest error, for the model's reason when none is up. */
  get reason(): string {
    return this.replicas
      .map((r) => r.status.lastError ?? `${r.status.url}: ${r.status.state}`)
      .join('; ');
  }

  statuses(): ReplicaStatus[] {
    return this.replicas.map((r) => ({ ...r.status }));
  }

  /** Probes every replica not up; resolves once one is up or every probe has failed. */
  async reach(): Promise<void> {
    const pending = this.replicas.filter((r) => r.status.state !== 'up').map((r) => this.probe(r));
    if (pending.length === 0) return;
    await new Promise<void>((resolve) => {
      let left = pending.length;
      for (const p of pending)
        void p.then((up) => {
          left--;
          if (up || left === 0) resolve();
        });
    });
  }

  /**
   * Runs `call` on a replica. A replica at fault is taken out; the call goes on to another (for an
   * idempotent call, or one that failed before the request reached the server) after a short
   * backoff. Every replica busy: ServerBusyError with the shortest Retry-After; every replica failed:
   * ModelUnavailableError naming each one's error.
   */
  async run<T>(call: (url: string) => Promise<T>, options: RunOptions): Promise<T> {
    const tried = new Set<Replica>();
    const busy: UpstreamBusy[] = [];
    for (let attempt = 0; ; attempt++) {
      const r = this.pick(tried);
      if (!r) break;
      tried.add(r);
      r.status.inFlight++;
      r.status.requests++;
      const t0 = performance.now();
      try {
        const out = await call(r.url);
        const ms = performance.now() - t0;
        r.status.latencyMs =
          r.status.latencyMs === null ? ms : r.status.latencyMs * (1 - EWMA) + ms * EWMA;
        return out;
      } catch (e) {
        if (e instanceof UpstreamBusy) {
          busy.push(e);
          continue;
        }
        if (!(e instanceof ReplicaFailure)) throw e;
        this.fail(r, e.message, e.kind);
        // A generation is tried elsewhere only when nothing of it reached our client and the
        // server cannot still be at work on it (it was not reached, or it answered an error).
        const again =
          e.retriable && (options.idempotent || e.kind === 'unreachable' || e.kind === 'http');
        if (!again) throw e;
        await sleep(RETRY_BACKOFF_MS * 2 ** attempt);
      } finally {
        r.status.inFlight--;
      }
    }
    if (busy.length > 0) {
      const seconds = Math.min(...busy.map((b) => b.retryAfterSeconds));
      throw new ServerBusyError(
        `Every replica of '${this.options.model}' is busy (${busy[0]!.message})`,
        seconds,
        {
          model: this.options.model,
        },
      );
    }
    throw new ModelUnavailableError(this.options.model, `no replica can serve it: ${this.reason}`);
  }

  /** Stops the probes (the model was unloaded, or the server shuts down). */
  close(): void {
    this.closed = true;
    for (const r of this.replicas) clearTimeout(r.timer);
  }

  /** Forgets every replica's state (after an unload): the next reach() probes them all. */
  reset(): void {
    for (const r of this.replicas) {
      clearTimeout(r.timer);
      r.timer = undefined;
      r.backoffMs = FIRST_PROBE_MS;
      r.status = { ...r.status, state: 'unknown', inFlight: r.status.inFlight };
    }
  }

  private pick(tried: Set<Replica>): Replica | undefined {
    const n = this.replicas.length;
    let best: Replica | undefined;
    const start = this.turn++ % n;
    for (let i = 0; i < n; i++) {
      const r = this.replicas[(start + i) % n]!;
      if (tried.has(r) || r.status.state !== 'up') continue;
      if (!best || r.status.inFlight < best.status.inFlight) best = r;
    }
    return best;
  }

  /** Takes the replica out of service and schedules its probe. */
  private fail(r: Replica, reason: string, kind: RemoteFailureKind): void {
    r.status.failures++;
    this.options.onFailure?.(r.status.url, kind);
    r.status.lastError = reason;
    r.status.lastErrorAt = new Date().toISOString();
    const was = r.status.state;
    r.status.state = 'down';
    if (was !== 'down') this.options.onChange?.(r.status.url, 'down', reason);
    this.schedule(r);
  }

  private schedule(r: Replica): void {
    if (this.closed || r.timer || r.probing) return;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      void this.probe(r);
    }, r.backoffMs);
    r.timer.unref();
    r.backoffMs = Math.min(r.backoffMs * 2, this.options.probeMaxMs);
  }

  /** Probes the replica once (concurrent callers share it); true when it is up. */
  private probe(r: Replica): Promise<boolean> {
    r.probing ??= this.options
      .probe(r.url)
      .then(
        () => {
          const was = r.status.state;
          r.status.state = 'up';
          r.backoffMs = FIRST_PROBE_MS;
          if (was !== 'up') this.options.onChange?.(r.status.url, 'up');
          return true;
        },
        (e: unknown) => {
          r.probing = undefined;
          this.fail(
            r,
            e instanceof Error ? e.message : String(e),
            e instanceof ReplicaFailure ? e.kind : 'other',
          );
          return false;
        },
      )
      .finally(() => (r.probing = undefined));
    return r.probing;
  }
}
