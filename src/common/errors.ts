/**
 * Domain errors. Services throw these; the global filter maps them to HTTP status and the JSON
 * body `{ error: { code, message, details? } }`.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
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
    super(`The vector index of collection '${collection}' is being rebuilt from stored vectors (${done} of ${total}); lexical search works meanwhile`, {
      collection,
      done,
      total,
    });
  }
}

export class ReembedRunningError extends DomainError {
  readonly status = 409;
  readonly code = 'reembed_running';
  constructor(collection: string, model: string) {
    super(`Collection '${collection}' is already being re-embedded with '${model}'; cancel it first (DELETE .../reembed)`, { collection, model });
  }
}

export class ReembedNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'reembed_not_found';
  constructor(collection: string, what: string) {
    super(`Collection '${collection}' has ${what}`, { collection });
  }
}
