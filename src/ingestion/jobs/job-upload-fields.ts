import { MulterError } from 'multer';
import { DomainError, InvalidInputError, PayloadTooLargeError } from '../../common/errors';
import type { Settings } from '../../config/settings';
import { parseMetadata } from '../documents.controller';

/** The multipart field urls: the JSON text of an array of URL strings. */
export function parseUrls(text: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.some((u) => typeof u !== 'string' || !u || u.length > 4096))
    throw new InvalidInputError(
      'urls must be the JSON text of an array of URLs (each at most 4096 characters)',
    );
  return v as string[];
}

/** The fileMetadata field: an object of objects, by file name. */
export function fileMetadataOf(text: string | undefined): Record<string, Record<string, unknown>> {
  if (text === undefined) return {};
  const all = parseMetadata(text);
  for (const [name, m] of Object.entries(all)) {
    if (typeof m !== 'object' || m === null || Array.isArray(m))
      throw new InvalidInputError(`fileMetadata['${name}'] must be an object`);
  }
  return all as Record<string, Record<string, unknown>>;
}

export function multerError(e: unknown, limits: Settings['jobs']): Error {
  if (!(e instanceof MulterError)) {
    if (e instanceof DomainError) return e; // our spool: the request's size limit
    if (e instanceof Error && (e as NodeJS.ErrnoException).code) return e; // a storage fault
    // busboy's parse errors: a truncated body, a malformed part header, no boundary
    return new InvalidInputError(
      `The multipart body is malformed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  switch (e.code) {
    case 'LIMIT_FILE_SIZE':
      return new PayloadTooLargeError(
        `File '${e.field ?? ''}' is larger than ${limits.maxFileBytes} bytes (JOB_MAX_FILE_BYTES)`,
        { limit: limits.maxFileBytes },
      );
    case 'LIMIT_FILE_COUNT':
      return new PayloadTooLargeError(`At most ${limits.maxFiles} files per job (JOB_MAX_FILES)`, {
        limit: limits.maxFiles,
      });
    case 'LIMIT_UNEXPECTED_FILE':
      if (e.field === 'files')
        return new PayloadTooLargeError(
          `At most ${limits.maxFiles} files per job (JOB_MAX_FILES)`,
          { limit: limits.maxFiles },
        );
      return new InvalidInputError(`Files go in the field "files", not "${e.field ?? ''}"`);
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_FIELD_KEY':
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_PART_COUNT':
    case 'MISSING_FIELD_NAME':
      return new InvalidInputError(`The multipart body is not acceptable: ${e.message}`);
  }
}
