import { assignRequestId, chooseRequestId, requestIdOf } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('chooseRequestId', () => {
  it("keeps a caller's sane id", () => {
    expect(chooseRequestId('trace-42.a:b_c')).toBe('trace-42.a:b_c');
  });

  it('replaces a missing, empty, too long or unsafe id with a new UUID', () => {
    for (const bad of [undefined, '', 'x'.repeat(129), 'a b', '<script>', 'line\nbreak', 'é'])
      expect(chooseRequestId(bad)).toMatch(UUID);
  });

  it('takes the first of repeated headers', () => {
    expect(chooseRequestId(['first', 'second'])).toBe('first');
  });

  it('gives two requests without an id two different ids', () => {
    expect(chooseRequestId(undefined)).not.toBe(chooseRequestId(undefined));
  });
});

describe('assignRequestId', () => {
  it('sets req.id and the X-Request-Id response header, and calls next', () => {
    const req = { headers: { 'x-request-id': 'abc-1' } } as never as Parameters<
      typeof assignRequestId
    >[0];
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as never;
    const next = jest.fn();
    assignRequestId(req, res, next);
    expect(requestIdOf(req)).toBe('abc-1');
    expect(headers['X-Request-Id']).toBe('abc-1');
    expect(next).toHaveBeenCalledTimes(1);
  });
});
