import { ArgumentsHost, Catch } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AllExceptionsFilter, ErrorBody, withRequestId } from './all-exceptions.filter';
import { DomainError } from '../common/errors';

/** OpenAI's `error.type` for a status. */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Errors of the OpenAI-compatible routes in OpenAI's shape, `{error: {message, type, param, code}}`,
 * which keeps our `code`, `message` and `details` too: clients of either kind read them.
 */
@Catch()
export class OpenAiExceptionFilter extends AllExceptionsFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body } = this.toBody(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof DomainError && exception.headers) res.set(exception.headers);
    res.status(status).json(openAiShape(status, withRequestId(body, req)));
  }

  /** The OpenAI-shaped error body of an exception met after a stream has started. */
  openAiBody(exception: unknown): OpenAiErrorBody {
    const { status, body } = this.toBody(exception, undefined);
    return openAiShape(status, body);
  }
}

export interface OpenAiErrorBody {
  error: ErrorBody['error'] & { type: string; param: string | null };
}

function openAiShape(status: number, body: ErrorBody): OpenAiErrorBody {
  const violations = (body.error.details as { violations?: string[] } | undefined)?.violations;
  const param = violations?.[0]?.match(/^([\w.]+) /)?.[1] ?? null;
  return { error: { ...body.error, type: typeOf(status), param } };
}
