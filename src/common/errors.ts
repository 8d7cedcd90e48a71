/**
 * Domain errors. Services throw these; the global filter maps them to HTTP status and the JSON
 * body `{ error: { code, message, details? } }`.
 *
 * Longer than 400 lines on purpose: every error code of the API in one file (a few lines a class),
 * so that codes stay unique and docs/api.md can be checked against one list.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Response headers that go with the error, e.g. Retry-After. */
  readonly headers?: Record<string, string>;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class CollectionNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'collection_not_found';
  constructor(name: string) {
    super(`Collection '${name}' does not exist`, { collection: name });
  }
}

export class CollectionExistsError extends DomainError {
  readonly status = 409;
  readonly code = 'collection_exists';
  constructor(name: string) {
    super(`Collection '${name}' already exists`, { collection: name });
  }
}

export class DocumentNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'document_not_found';
  constructor(collection: string, id: string) {
    super(`Document '${id}' does not exist in collection '${collection}'`, { collection, id });
  }
}

export class OriginalNotKeptError extends DomainError {
  readonly status = 404;
  readonly code = 'original_not_kept';
  constructor(collection: string, id: string) {
    super(
      `Document '${id}' has no original file: it was added as text, or while KEEP_ORIGINALS was off`,
      { collection, id },
    );
  }
}

export class DocumentConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'document_conflict';
  constructor(id: string) {
    super(
      `Document '${id}' already exists with different content; delete it first or use a new id`,
      { id },
    );
  }
}

export class InvalidInputError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_input';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/** A file that parsed but holds no text to index, such as a PDF of scanned pages without a text layer. */
export class NoExtractableTextError extends DomainError {
  readonly status = 422;
  readonly code = 'no_extractable_text';
}

/** A password-protected file: its text cannot be read without the password. */
export class EncryptedDocumentError extends DomainError {
  readonly status = 422;
  readonly code = 'encrypted_document';
}

/** A file whose signature names its format but whose content cannot be read as that format. */
export class CorruptDocumentError extends DomainError {
  readonly status = 422;
  readonly code = 'corrupt_document';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class ModelUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'model_unavailable';
  constructor(model: string, reason: string) {
    super(`Model '${model}' is unavailable: ${reason}`, { model, reason });
  }
}

export class EmbeddingModelMismatchError extends DomainError {
  readonly status = 409;
  readonly code = 'embedding_model_mismatch';
}

export class IndexRebuildingError extends DomainError {
  readonly status = 503;
  readonly code = 'index_rebuilding';
  constructor(collection: string, done: number, total: number) {
    super(
      `The vector index of collection '${collection}' is being rebuilt from stored vectors (${done} of ${total}); lexical search works meanwhile`,
      {
        collection,
        done,
        total,
      },
    );
  }
}

export class ReembedRunningError extends DomainError {
  readonly status = 409;
  readonly code = 'reembed_running';
  constructor(collection: string, model: string) {
    super(
      `Collection '${collection}' is already being re-embedded with '${model}'; cancel it first (DELETE .../reembed)`,
      { collection, model },
    );
  }
}

export class ReembedNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'reembed_not_found';
  constructor(collection: string, what: string) {
    super(`Collection '${collection}' has ${what}`, { collection });
  }
}

/** Downloads are off (ALLOW_REMOTE_MODELS=false), so a model cannot be pulled. */
export class DownloadsDisabledError extends DomainError {
  readonly status = 409;
  readonly code = 'downloads_disabled';
  constructor(model: string) {
    super(
      `Cannot pull '${model}': downloads are off (ALLOW_REMOTE_MODELS=false). Place it in MODELS_DIR yourself, e.g. with \`ragd models pull ${model} --models-dir <dir>\` on a machine with network`,
      { model },
    );
  }
}

/** The hub (HF_ENDPOINT) did not give the model: a wrong id (404), no access, no network (502). */
export class ModelHubError extends DomainError {
  readonly code = 'model_hub_error';
  constructor(
    model: string,
    reason: string,
    readonly status: number,
  ) {
    super(`Cannot get '${model}' from the hub: ${reason}`, { model, reason });
  }
}

/** A model still used (by a collection, or loaded, or downloading) cannot be removed. */
export class ModelInUseError extends DomainError {
  readonly status = 409;
  readonly code = 'model_in_use';
  constructor(model: string, why: string) {
    super(`Model '${model}' is in use: ${why}`, { model });
  }
}

export class ModelNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'model_not_found';
  constructor(model: string, available: string[]) {
    super(`Model '${model}' is not available here; available: ${available.join(', ') || 'none'}`, {
      model,
      available,
    });
  }
}

export class ModelNotAllowedError extends DomainError {
  readonly status = 403;
  readonly code = 'model_not_allowed';
  constructor(model: string) {
    super(
      `Model '${model}' is not known here (MODELS_DIR, the configured defaults, the models of collections) and does not match MODEL_ALLOW, so it is not downloaded`,
      { model },
    );
  }
}

export class InvalidIdempotencyKeyError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_idempotency_key';
  constructor() {
    super('Idempotency-Key must be 1-255 printable ASCII characters');
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
  constructor(key: string) {
    super(
      `Idempotency-Key '${key}' was already used for a different request to this route; use a new key for a new request`,
      { key },
    );
  }
}

export class IdempotencyRequestInProgressError extends DomainError {
  readonly status = 409;
  readonly code = 'idempotency_request_in_progress';
  override readonly headers = { 'Retry-After': '1' };
  constructor(key: string) {
    super(
      `A request with Idempotency-Key '${key}' is still in progress; retry it once that one has finished`,
      { key },
    );
  }
}

export class ServerBusyError extends DomainError {
  readonly status = 503;
  readonly code = 'server_busy';
  override readonly headers: Record<string, string>;
  constructor(what: string, retryAfterSeconds: number, details: Record<string, unknown>) {
    super(`${what}; retry in about ${retryAfterSeconds} s`, details);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

export class GenerationTimeoutError extends DomainError {
  readonly status = 504;
  readonly code = 'generation_timeout';
  constructor(model: string, ms: number) {
    super(
      `Generation with '${model}' took longer than ${ms} ms (GENERATION_TIMEOUT_MS) and was stopped`,
      { model, timeoutMs: ms },
    );
  }
}

export class ConversationNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'conversation_not_found';
  constructor(collection: string, sessionId: string) {
    super(`Conversation '${sessionId}' does not exist in collection '${collection}'`, {
      collection,
      sessionId,
    });
  }
}

export class BackupNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'backup_not_found';
  constructor(id: string) {
    super(`Backup '${id}' is not known to this server`, { id });
  }
}

export class BackupInProgressError extends DomainError {
  readonly status = 409;
  readonly code = 'backup_in_progress';
  constructor(id: string, directory: string) {
    super(`Backup '${id}' is running (into ${directory}); one backup runs at a time`, {
      id,
      directory,
    });
  }
}

/** The requested backup directory is not inside BACKUP_DIR (and BACKUP_ALLOW_ANY_PATH is off). */
export class BackupTargetOutsideBackupDirError extends DomainError {
  readonly status = 400;
  readonly code = 'backup_target_outside_backup_dir';
  constructor(directory: string, backupDir: string) {
    super(
      `Backup directory ${directory} is not inside BACKUP_DIR (${backupDir}); give a name or a path relative to BACKUP_DIR`,
      {
        directory,
        backupDir,
      },
    );
  }
}

/** A backup inside the live storage (or containing it) would copy itself or be mistaken for data. */
export class BackupTargetInStorageError extends DomainError {
  readonly status = 400;
  readonly code = 'backup_target_in_storage';
  constructor(directory: string) {
    super(
      `Backup directory ${directory} overlaps STORAGE_DIR; choose a directory outside the live storage`,
      { directory },
    );
  }
}

export class BackupTargetNotEmptyError extends DomainError {
  readonly status = 409;
  readonly code = 'backup_target_not_empty';
  constructor(directory: string) {
    super(
      `Backup directory ${directory} exists and is not empty; choose a new or empty directory`,
      { directory },
    );
  }
}

export class BackupTargetNotDirectoryError extends DomainError {
  readonly status = 409;
  readonly code = 'backup_target_not_a_directory';
  constructor(directory: string) {
    super(`Backup target ${directory} exists and is not a directory`, { directory });
  }
}

/** What a storage fault names: the path, what was being done there, and the underlying cause. */
export interface StorageFaultDetails extends Record<string, unknown> {
  /** The file or directory that could not be written. */
  path: string;
  /** What failed, e.g. "write to the SQLite database" or "write index snapshot". */
  operation: string;
  /** The system or SQLite error code (ENOSPC, EFBIG, SQLITE_FULL, EROFS, SQLITE_READONLY, ...). */
  cause: string;
  /** Free bytes on the storage file system when the fault was seen, if known. */
  freeBytes?: number;
  /** The process's file-size limit (RLIMIT_FSIZE), when one is set. */
  fileSizeLimitBytes?: number;
}

/** The storage directory cannot take a write. Nothing of the failed operation was kept. */
export abstract class StorageFaultError extends DomainError {
  declare readonly details: StorageFaultDetails;
  constructor(message: string, details: StorageFaultDetails) {
    super(message, details);
  }
}

/** The file system is full, a quota is exhausted, or a file reached the file-size limit. */
export class InsufficientStorageError extends StorageFaultError {
  readonly status = 507;
  readonly code = 'insufficient_storage';
}

/**
 * The storage directory is on a read-only file system or the server lacks permission to write it.
 * 503, not 507: no amount of freed space helps; an operator has to remount or fix permissions.
 */
export class StorageReadOnlyError extends StorageFaultError {
  readonly status = 503;
  readonly code = 'storage_read_only';
}

/** Any other I/O error of the storage (e.g. EIO from a failing disk): unexpected, hence 500. */
export class StorageIoError extends StorageFaultError {
  readonly status = 500;
  readonly code = 'storage_io_error';
}

export class UrlNotAllowedError extends DomainError {
  readonly status = 403;
  readonly code = 'url_not_allowed';
  constructor(url: string, reason: string) {
    super(`Not fetching ${url}: ${reason} (URL_FETCH_ALLOW can allow a host, address or network)`, {
      url,
      reason,
    });
  }
}

export class UrlFetchFailedError extends DomainError {
  readonly code: string;
  readonly status: number;
  constructor(url: string, reason: string, timedOut: boolean) {
    super(`Could not fetch ${url}: ${reason}`, { url, reason });
    this.status = timedOut ? 504 : 502;
    this.code = timedOut ? 'url_fetch_timeout' : 'url_fetch_failed';
  }
}

/** A document past MAX_PAGES_PER_DOCUMENT or MAX_CHUNKS_PER_DOCUMENT. */
export class DocumentTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'document_too_large';
}

export class ParseTimeoutError extends DomainError {
  readonly status = 422;
  readonly code = 'parse_timeout';
  constructor(
    filename: string,
    ms: number,
    message = `Parsing '${filename}' took longer than ${ms} ms (PARSE_TIMEOUT_MS); it was stopped`,
    details: Record<string, unknown> = {},
  ) {
    super(message, { filename, limitMs: ms, ...details });
  }

  /** One page's OCR past OCR_PAGE_TIMEOUT_MS (the n-th of the pages read by OCR). */
  static ocrPage(filename: string, ms: number, ocrPage: number): ParseTimeoutError {
    return new ParseTimeoutError(
      filename,
      ms,
      `OCR of page ${ocrPage} to read in '${filename}' took longer than ${ms} ms (OCR_PAGE_TIMEOUT_MS); it was stopped`,
      { ocrPage },
    );
  }
}

/** A synchronous upload whose pages to OCR exceed OCR_SYNC_MAX_PAGES: it is for a background job. */
export class OcrNeedsJobError extends DomainError {
  readonly status = 413;
  readonly code = 'ocr_needs_job';
}

export class JobNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'job_not_found';
  constructor(id: string) {
    super(`Job '${id}' does not exist`, { id });
  }
}

export class JobFinishedError extends DomainError {
  readonly status = 409;
  readonly code = 'job_finished';
  constructor(id: string, state: string) {
    super(
      `Job '${id}' has already ended (${state}); only a queued or running job can be cancelled`,
      { id, state },
    );
  }
}

/** JOB_QUEUE_LIMIT jobs are waiting or running: 429 with Retry-After. */
export class JobQueueFullError extends DomainError {
  readonly status = 429;
  readonly code = 'job_queue_full';
  override readonly headers: Record<string, string>;
  constructor(limit: number, retryAfterSeconds: number) {
    super(
      `${limit} ingestion jobs are already waiting or running (JOB_QUEUE_LIMIT); retry in about ${retryAfterSeconds} s`,
      { limit },
    );
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** No API key, or one that is unknown or expired, while keys are on (docs/security.md). */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
  override readonly headers = { 'WWW-Authenticate': 'Bearer realm="ragd"' };
}

/** A valid API key whose scopes do not cover the request. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** A key past one of its limits (requests a minute, uploads at once, bytes a day): 429 with Retry-After. */
export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'rate_limited';
  override readonly headers: Record<string, string>;
  constructor(message: string, retryAfterSeconds: number, details: Record<string, unknown>) {
    super(message, { ...details, retryAfterSeconds });
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

export class ApiKeyNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'api_key_not_found';
  constructor(id: string) {
    super(`API key '${id}' does not exist`, { id });
  }
}

/** Deleting the last key would leave a server that listens beyond loopback open to everyone. */
export class LastApiKeyError extends DomainError {
  readonly status = 409;
  readonly code = 'last_api_key';
  constructor(id: string, host: string) {
    super(
      `API key '${id}' is the last one and HOST=${host} is not a loopback address: create another admin key first (or set RAGD_API_KEY)`,
      { id },
    );
  }
}

/**
 * A remote inference server broke a call that cannot be silently repeated (a generation that had
 * streamed output), or refused our request as such (a 4xx): 502 with its message.
 */
export class RemoteEngineError extends DomainError {
  readonly status = 502;
  readonly code = 'remote_engine_error';
}
