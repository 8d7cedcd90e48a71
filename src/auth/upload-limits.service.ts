import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RateLimitedError, ServerBusyError } from '../common/errors';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import type { Caller } from './caller';
import type { UploadRule } from './upload.decorator';

const DAY_MS = 86_400_000;

interface KeyUsage {
  running: number;
  /** The UTC day (ms at its midnight) that `bytes` counts. */
  day: number;
  bytes: number;
}

/**
 * Limits on requests that ingest data: per key, uploads at once and request bytes a UTC day; for
 * the server, multipart uploads held in memory at once. Counted in memory (a restart starts the
 * day's count again). A request takes its places when the guard admits it and gives them back
 * when its response closes; its bytes (Content-Length, or what was received) count then.
 */
@Injectable()
export class UploadLimitsService {
  private readonly usage = new Map<string, KeyUsage>();
  private inMemory = 0;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  /** Admits the request or throws 429 (the key's limits) or 503 (the server's memory uploads). */
  admit(req: Request, res: Response, caller: Caller, rule: UploadRule, now = Date.now()): void {
    const limits = this.settings.security;
    const memory = rule.inMemory && Boolean(req.is('multipart/form-data'));
    if (memory && this.inMemory >= limits.memoryUploads) {
      throw new ServerBusyError(
        `${limits.memoryUploads} uploads are being received into memory (MAX_CONCURRENT_MEMORY_UPLOADS)`,
        2,
        { limit: limits.memoryUploads },
      );
    }
    const usage = caller.keyId === null ? undefined : this.usageOf(caller.keyId, now);
    if (usage) {
      if (usage.running >= limits.uploadsPerKey) {
        throw new RateLimitedError(
          `API key '${caller.keyId}' has ${usage.running} uploads running (MAX_CONCURRENT_UPLOADS_PER_KEY); retry when one ends`,
          2,
          { limit: limits.uploadsPerKey },
        );
      }
      const quota = limits.ingestBytesPerDay;
      const declared = declaredBytes(req);
      const over = declared === undefined ? usage.bytes >= quota : usage.bytes + declared > quota;
      if (quota > 0 && over) {
        const retry = (usage.day + DAY_MS - now) / 1000;
        throw new RateLimitedError(
          `API key '${caller.keyId}' has sent ${usage.bytes} of its ${quota} bytes for today (INGEST_BYTES_PER_DAY)${declared === undefined ? '' : `; this request has ${declared}`}; the count starts again at 00:00 UTC`,
          retry,
          { limit: quota, used: usage.bytes, ...(declared === undefined ? {} : { declared }) },
        );
      }
      usage.running++;
    }
    if (memory) this.inMemory++;
    res.once('close', () => {
      if (memory) this.inMemory--;
      if (usage) {
        usage.running--;
        const day = utcDay(Date.now());
        if (day !== usage.day) Object.assign(usage, { day, bytes: 0 });
        usage.bytes += declaredBytes(req) ?? receivedBytes(req);
      }
    });
  }

  private usageOf(keyId: string, now: number): KeyUsage {
    const day = utcDay(now);
    let usage = this.usage.get(keyId);
    if (!usage) this.usage.set(keyId, (usage = { running: 0, day, bytes: 0 }));
    else if (usage.day !== day) Object.assign(usage, { day, bytes: 0 });
    return usage;
  }
}

function utcDay(ms: number): number {
  return ms - (ms % DAY_MS);
}

function declaredBytes(req: Request): number | undefined {
  const n = Number(req.headers['content-length']);
  return req.headers['content-length'] !== undefined && Number.isSafeInteger(n) && n >= 0
    ? n
    : undefined;
}

/** A body sent without Content-Length (chunked): the files received, or the JSON body's size. */
function receivedBytes(req: Request): number {
  const files: Express.Multer.File[] = [
    ...(req.file ? [req.file] : []),
    ...(Array.isArray(req.files) ? req.files : []),
  ];
  if (files.length > 0) return files.reduce((sum, f) => sum + f.size, 0);
  return req.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(req.body) ?? '');
}
