import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Caller, setCaller } from '../auth/caller';
import type { Settings } from '../config/settings';
import { MetricsAccessGuard } from './metrics-access.guard';

/** A request as the global auth guard leaves it: its caller found (ANONYMOUS: keys on, none sent). */
function context(authorization?: string, caller: Caller = Caller.OPEN) {
  const headers: Record<string, string> = {};
  const req = { headers: authorization ? { authorization } : {} };
  setCaller(req as never, caller);
  const ctx = {
    switchToHttp: () => ({
      getRequest: () => req,
      getResponse: () => ({ setHeader: (k: string, v: string) => (headers[k] = v) }),
    }),
  } as unknown as ExecutionContext;
  return { ctx, headers };
}

const guard = (token?: string) =>
  new MetricsAccessGuard({ metrics: { enabled: true, token, maxCollections: 100 } } as Settings);

describe('MetricsAccessGuard', () => {
  it('lets everyone in while METRICS_TOKEN is unset and the server runs open', () => {
    expect(guard().canActivate(context().ctx)).toBe(true);
  });

  it('without METRICS_TOKEN and with keys on, wants an admin key', () => {
    const sut = guard();
    expect(sut.canActivate(context('Bearer k', Caller.key('a', ['admin'])).ctx)).toBe(true);
    expect(() => sut.canActivate(context(undefined, Caller.ANONYMOUS).ctx)).toThrow(
      UnauthorizedException,
    );
    expect(() => sut.canActivate(context('Bearer k', Caller.key('r', ['read:*'])).ctx)).toThrow(
      ForbiddenException,
    );
  });

  it('with METRICS_TOKEN set, an admin key passes too, but an open server does not waive the token', () => {
    const sut = guard('0123456789abcdef');
    expect(sut.canActivate(context('Bearer k', Caller.key('a', ['admin'])).ctx)).toBe(true);
    expect(() => sut.canActivate(context(undefined, Caller.OPEN).ctx)).toThrow(
      UnauthorizedException,
    );
  });

  it('lets in the Bearer token, in any case of "Bearer"', () => {
    const sut = guard('0123456789abcdef');
    expect(sut.canActivate(context('Bearer 0123456789abcdef').ctx)).toBe(true);
    expect(sut.canActivate(context('bearer 0123456789abcdef').ctx)).toBe(true);
  });

  it('refuses no token, a wrong one and one of another length, asking for Bearer', () => {
    const sut = guard('0123456789abcdef');
    for (const auth of [undefined, 'Bearer 0123456789abcdeF', 'Bearer 0123', 'Basic eDp5']) {
      const { ctx, headers } = context(auth);
      expect(() => sut.canActivate(ctx)).toThrow(UnauthorizedException);
      expect(headers['WWW-Authenticate']).toBe('Bearer');
    }
  });
});
