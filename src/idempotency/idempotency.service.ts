import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  IdempotencyKeyReusedError,
  IdempotencyRequestInProgressError,
  InvalidIdempotencyKeyError,
} from '../common/errors';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { DatabaseService } from '../database/database.service';
import { IdempotencyId, IdempotencyRepository, IdempotencyRow } from './idempotency.repository';

/** 1-255 printable ASCII characters (space to tilde). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
const PURGE_EVERY_MS = 3_600_000;

/**
 * What a route that takes an Idempotency-Key hands to the service that makes its writes. The
 * service calls `commit` inside the transaction that makes them, with the response as it stands
 * then: the key is recorded with the writes or not at all, so a retry after a crash replays that
 * response instead of writing twice.
 */
export interface IdempotencyContext {
  commit(response: unknown): void;
}

export type Begun =
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'claimed'; request: IdempotentRequest };

/** A claimed key: one request of this run runs under it. */
export class IdempotentRequest implements IdempotencyContext {
  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly id: IdempotencyId,
    /** The status the route answers with when it succeeds. */
    private readonly status: number,
  ) {}

  commit(response: unknown): void {
    if (!this.repo.commit(this.id, this.status, toJson(response))) {
      // Only this request moves its row on while this run lives: a lost row is a bug, and
      // throwing rolls back the writes it was to be recorded with.
      throw new Error(
        `Idempotency record of key '${this.id.key}' (${this.id.scope}) is no longer held by its request`,
      );
    }
  }

  /** The response was produced: a success is stored for replay, anything else gives up the key. */
  finish(status: number, response: unknown): void {
    if (status >= 200 && status < 300) this.repo.complete(this.id, status, toJson(response));
    else this.abandon();
  }

  /**
   * The request failed. If its writes were committed, retries replay the response recorded with
   * them; otherwise nothing was written under the key and it is free for a retry.
   */
  abandon(): void {
    this.repo.completeCommitted(this.id);
    this.repo.release(this.id);
  }
}

/**
 * Idempotency-Key bookkeeping, Stripe-style: the first request with a key runs; a retry with the
 * same request gets the first response again; the key with another request is refused (422); a
 * retry while the first is still running is refused (409, Retry-After). Keys expire after
 * IDEMPOTENCY_TTL_HOURS. One server process per storage directory: an unfinished record of an
 * earlier run (the process died mid-request, so nothing was committed under it) counts as absent.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  /** This server run; records are claimed in its name. */
  readonly runId = randomUUID();
  private readonly ttlMs: number;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    private readonly database: DatabaseService,
    private readonly repo: IdempotencyRepository,
  ) {
    this.ttlMs = settings.idempotency.ttlMs;
  }

  onApplicationBootstrap(): void {
    this.purgeExpired();
    this.purgeTimer = setInterval(() => this.purgeExpired(), Math.min(this.ttlMs, PURGE_EVERY_MS));
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
  }

  /**
   * Claims `key` for a request, or says what a retry gets instead. `status`: what the route
   * answers when it succeeds. Throws InvalidIdempotencyKeyError, IdempotencyKeyReusedError or
   * IdempotencyRequestInProgressError.
   */
  begin(key: string, scope: string, requestHash: string, status: number): Begun {
    if (!KEY_PATTERN.test(key)) throw new InvalidIdempotencyKeyError();
    const id = { key, scope, runId: this.runId };
    const now = new Date();
    return this.database.transaction((): Begun => {
      const row = this.repo.find(key, scope);
      if (row && this.binds(row, now)) {
        if (row.request_hash !== requestHash) throw new IdempotencyKeyReusedError(key);
        if (
          row.state === 'in_progress' ||
          (row.state === 'committed' && row.run_id === this.runId)
        ) {
          throw new IdempotencyRequestInProgressError(key);
        }
        // completed, or committed by a run that died before answering: its writes are in.
        return {
          kind: 'replay',
          status: row.response_status ?? 200,
          body: row.response_body === null ? undefined : JSON.parse(row.response_body),
        };
      }
      this.repo.claim(id, requestHash, now.toISOString());
      return { kind: 'claimed', request: new IdempotentRequest(this.repo, id, status) };
    });
  }

  /** Deletes expired records; returns how many. */
  purgeExpired(now = new Date()): number {
    try {
      const purged = this.repo.purge(this.cutoff(now), this.runId);
      if (purged > 0) this.logger.debug(`Purged ${purged} expired idempotency keys`);
      return purged;
    } catch (e) {
      // A timer callback must not throw; the next pass tries again.
      this.logger.warn(
        `Purging expired idempotency keys failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      return 0;
    }
  }

  /** Whether a stored record still holds its key. */
  private binds(row: IdempotencyRow, now: Date): boolean {
    const liveRun = row.run_id === this.runId;
    if (row.state !== 'completed' && liveRun) return true; // running now: never expires under it
    if (row.created_at < this.cutoff(now)) return false;
    return !(row.state === 'in_progress' && !liveRun); // cut short by a crash: nothing committed
  }

  private cutoff(now: Date): string {
    return new Date(now.getTime() - this.ttlMs).toISOString();
  }
}

function toJson(response: unknown): string | null {
  return response === undefined ? null : JSON.stringify(response);
}
