import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { Need, allows, isAdmin } from './scopes';

/** Who sent a request: a key with its scopes, everyone (no keys configured), or nobody known. */
export class Caller {
  private constructor(
    /** The key's id; 'env' for RAGD_API_KEY; null when no key was used. */
    readonly keyId: string | null,
    readonly scopes: readonly string[],
    /** No key is configured: the server runs open (loopback only) and every request may do anything. */
    readonly open: boolean,
  ) {}

  static readonly OPEN = new Caller(null, [], true);
  /** Keys are on and the request carries none (public routes only). */
  static readonly ANONYMOUS = new Caller(null, [], false);

  static key(id: string, scopes: readonly string[]): Caller {
    return new Caller(id, scopes, false);
  }

  get admin(): boolean {
    return this.open || isAdmin(this.scopes);
  }

  may(need: Need, collection: string): boolean {
    return this.open || allows(this.scopes, need, collection);
  }
}

const callers = new WeakMap<Request, Caller>();

export function setCaller(req: Request, caller: Caller): void {
  callers.set(req, caller);
}

/** The request's caller as the guard found it (ANONYMOUS if the guard did not run). */
export function callerOf(req: Request): Caller {
  return callers.get(req) ?? Caller.ANONYMOUS;
}

/** The handler's {@link Caller}. */
export const RequestCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller =>
  callerOf(ctx.switchToHttp().getRequest()),
);
