import { SetMetadata } from '@nestjs/common';

export const UPLOAD_METADATA = 'ragd:upload';

export interface UploadRule {
  /** Multipart bodies of this route are held in memory (MAX_CONCURRENT_MEMORY_UPLOADS). */
  inMemory: boolean;
}

/**
 * A route that ingests what the request carries: counted in the key's MAX_CONCURRENT_UPLOADS_PER_KEY
 * and INGEST_BYTES_PER_DAY (and, with `inMemory`, its multipart bodies in the server-wide
 * MAX_CONCURRENT_MEMORY_UPLOADS).
 */
export const Upload = (rule: Partial<UploadRule> = {}) =>
  SetMetadata(UPLOAD_METADATA, { inMemory: rule.inMemory ?? false } satisfies UploadRule);
