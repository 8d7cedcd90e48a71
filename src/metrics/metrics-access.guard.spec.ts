import { UnauthorizedException } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { MetricsAccessGuard } from './metrics-access.guard';

function context(authorization?: string) {
  const headers: Record<string, string> = {};
  const ctx = {
    switchToHttp: () => ({
      getRequest: () => ({ headers: authorization ? { authorization } : {} }),
      getResponse: () => ({ setHeader: (k: string, v: string) => (headers[k] = v) }),
    }),
  } as unknown as ExecutionContext;
  return { ctx, headers };
}

const guard = (token?: string) =>
  new MetricsAccessGuard({ metrics: { enabled: true, token, maxCollections: 100 } } as Settings);

describe('MetricsAccessGuard', () => {
  it('lets everyone in while METRICS_TOKEN is unset', () => {
    expect(guard().canActivate(context().ctx)).toBe(true);
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
