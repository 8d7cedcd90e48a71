import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  Optional,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError } from '../common/errors';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { requestIdOf } from '../logging/request-id';
import { PathRedaction } from './path-redaction';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
};

/**
 * Every error leaves the server as `{ error: { code, message, details?, requestId? } }`; requestId
 * is the request's X-Request-Id (the one in its log lines).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /**
   * Optional, so that a filter can be built without one; the controllers that shape errors inside an
   * event stream (ask, chat) pass theirs, so storage faults are classified there too.
   */
  constructor(
    @Optional() private readonly storage?: StorageMonitor,
    @Optional() @Inject(SETTINGS) settings?: Settings,
  ) {
    if (settings)
      this.redaction = new PathRedaction({ ...settings, backupDir: settings.backup.dir });
  }

  /** The machine's folders named by their settings in every error message and detail. */
  private readonly redaction?: PathRedaction;

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body } = this.toBody(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof DomainError && exception.headers) res.set(exception.headers);
    res.status(status).json(withRequestId(body, req));
  }

  /** The JSON error body an exception maps to (for errors met after a stream has started). */
  body(exception: unknown): ErrorBody {
    return this.toBody(exception, undefined).body;
  }

  protected toBody(
    exception: unknown,
    req: Request | undefined,
  ): { status: number; body: ErrorBody } {
    const shaped = this.shape(exception, req);
    if (!this.redaction) return shaped;
    const { details, ...error } = shaped.body.error;
    error.message = this.redaction.text(error.message);
    return {
      status: shaped.status,
      body: {
        error: details === undefined ? error : { ...error, details: this.redaction.value(details) },
      },
    };
  }

  private shape(exception: unknown, req: Request | undefined): { status: number; body: ErrorBody } {
    // A raw SQLite or file-system error about the storage becomes a storage fault (507, 503, 500).
    if (!(exception instanceof DomainError))
      exception = this.storage?.fault(exception) ?? exception;
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: {
          error: { code: exception.code, message: exception.message, details: exception.details },
        },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      let details: unknown;
      if (typeof response === 'object' && response !== null && 'message' in response) {
        const m = response.message;
        if (Array.isArray(m)) {
          message = m.join('; ');
          details = { violations: m };
        } else if (typeof m === 'string') {
          message = m;
        }
      }
      return {
        status,
        body: { error: { code: CODES_BY_STATUS[status] ?? `http_${status}`, message, details } },
      };
    }
    const bodyParserError = asBodyParserError(exception);
    if (bodyParserError) return bodyParserError;
    const requestId = requestIdOf(req) ?? randomUUID();
    this.logger.error(
      `Unhandled error on ${req ? `${req.method} ${req.url}` : 'a stream'} (request ${requestId})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal_error', message: 'Internal server error', requestId } },
    };
  }
}

/** The body with the request's id, when it has one. */
export function withRequestId(body: ErrorBody, req: Request | undefined): ErrorBody {
  const requestId = requestIdOf(req);
  return requestId ? { error: { ...body.error, requestId } } : body;
}

/** Errors raised by express's body parsers before Nest sees the request. */
function asBodyParserError(e: unknown): { status: number; body: ErrorBody } | undefined {
  if (typeof e !== 'object' || e === null || !('type' in e)) return undefined;
  const err = e as { type: unknown; status?: number; message?: string; limit?: number };
  switch (err.type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        body: {
          error: { code: 'malformed_json', message: `Malformed JSON body: ${err.message ?? ''}` },
        },
      };
    case 'entity.too.deep':
      return {
        status: 400,
        body: { error: { code: 'json_too_deep', message: err.message ?? 'JSON nests too deep' } },
      };
    case 'entity.too.large':
      return {
        status: 413,
        body: {
          error: {
            code: 'payload_too_large',
            message: `Request body exceeds the limit of ${err.limit ?? '?'} bytes`,
          },
        },
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        status: 415,
        body: {
          error: { code: 'unsupported_media_type', message: err.message ?? 'Unsupported encoding' },
        },
      };
    default:
      return undefined;
  }
}
