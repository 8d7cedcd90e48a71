import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorDto } from '../http/error.dto';
import {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyInterceptor,
  REPLAYED_HEADER,
} from './idempotency.interceptor';

export const IN_PROGRESS_DESCRIPTION =
  'idempotency_request_in_progress: a request with the same Idempotency-Key is still running (Retry-After: 1)';

/**
 * A POST that writes takes an optional Idempotency-Key. Put it above @UseInterceptors(FileInterceptor(...))
 * so that the upload is read before the request is hashed.
 */
export function Idempotent(options: { conflictDescription?: string } = {}) {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: `1-255 printable ASCII characters, e.g. a UUID. A retry with the same key and the same request gets the first success again (same status and body, header ${REPLAYED_HEADER}: true) without writing twice. Errors are not stored: a request that fails has written nothing, and the same key can be sent again. Keys are scoped to the route and collection, and kept IDEMPOTENCY_TTL_HOURS (default 24).`,
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiConflictResponse({
      type: ErrorDto,
      description: options.conflictDescription ?? IN_PROGRESS_DESCRIPTION,
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorDto,
      description:
        'idempotency_key_reused: the Idempotency-Key was used for a different request to this route',
    }),
  );
}
