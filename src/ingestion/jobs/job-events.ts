import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** The progress events of a job go out at most this often. */
const EVENT_EVERY_MS = 250;

/**
 * Tells a job's watchers that it changed: at most every EVENT_EVERY_MS per job (the last change
 * of a burst is never lost), at once when `now` (the job ended, or was cancelled).
 */
@Injectable()
export class JobEvents implements OnApplicationShutdown {
  private readonly changes = new EventEmitter();
  private readonly lastEvent = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  changed(jobId: string, now = false): void {
    if (this.changes.listenerCount(jobId) === 0) return;
    const wait = EVENT_EVERY_MS - (Date.now() - (this.lastEvent.get(jobId) ?? 0));
    if (now || wait <= 0) {
      clearTimeout(this.timers.get(jobId));
      this.timers.delete(jobId);
      this.emit(jobId);
      return;
    }
    if (this.timers.has(jobId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(jobId);
      this.emit(jobId);
    }, wait);
    timer.unref();
    this.timers.set(jobId, timer);
  }

  /** Calls `listener` on each change of the job until the returned function is called. */
  subscribe(jobId: string, listener: () => void): () => void {
    this.changes.on(jobId, listener);
    return () => this.changes.off(jobId, listener);
  }

  onApplicationShutdown(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private emit(jobId: string): void {
    this.lastEvent.set(jobId, Date.now());
    this.changes.emit(jobId);
  }
}
