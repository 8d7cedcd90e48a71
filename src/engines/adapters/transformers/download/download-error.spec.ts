import { httpFailure, networkFailure } from './download-error';
import { retryDelay } from './download-job';

const ctx = {
  model: 'org/model',
  endpoint: 'https://hub.example',
  revision: 'main',
  hasToken: false,
};

describe('httpFailure', () => {
  it('tells a missing model, a gated one, a missing file and a refused token apart, and which are worth retrying', () => {
    const cases = [
      [
        401,
        'RepoNotFound',
        undefined,
        'not_found',
        /no model 'org\/model' on https:\/\/hub\.example \(401 RepoNotFound\): check the id; a private model also needs HF_TOKEN/,
      ],
      [401, 'GatedRepo', undefined, 'gated', /gated model .*set HF_TOKEN/],
      [
        404,
        'EntryNotFound',
        'onnx/model_q4.onnx',
        'not_found',
        /has no onnx\/model_q4\.onnx of 'org\/model' \(404 EntryNotFound\)/,
      ],
      [403, '', 'config.json', 'unauthorized', /refused access .*needs HF_TOKEN/],
      [429, '', undefined, 'rate_limited', /limiting requests \(429\)/],
      [503, '', 'config.json', 'server', /answered 503/],
    ] as const;
    for (const [status, code, file, failure, message] of cases) {
      const sut = httpFailure(status, code ? { 'x-error-code': code } : {}, { ...ctx, file });
      expect([status, sut.failure]).toEqual([status, failure]);
      expect(sut.message).toMatch(message);
      expect([status, sut.retriable]).toEqual([
        status,
        failure === 'rate_limited' || failure === 'server',
      ]);
    }
  });

  it('keeps the wait a 429 asks for', () => {
    expect(httpFailure(429, { 'retry-after': '30' }, ctx).retryAfterSeconds).toBe(30);
  });
});

describe('networkFailure', () => {
  const wrapped = (code: string) =>
    Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error(code), { code }),
    });

  it('names DNS, TLS, time-outs and refused connections, all worth retrying', () => {
    const cases = [
      ['ENOTFOUND', 'dns', /cannot resolve hub\.example \(DNS ENOTFOUND\)/],
      [
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        'tls',
        /TLS connection to hub\.example failed .*NODE_EXTRA_CA_CERTS/,
      ],
      [
        'UND_ERR_CONNECT_TIMEOUT',
        'timeout',
        /no connection to hub\.example within 10000 ms .*HTTPS_PROXY/,
      ],
      ['ECONNREFUSED', 'refused', /refused the connection/],
    ] as const;
    for (const [code, failure, message] of cases) {
      const sut = networkFailure(wrapped(code), 'https://hub.example/api/models/x', 10_000);
      expect([code, sut.failure, sut.retriable]).toEqual([code, failure, true]);
      expect(sut.message).toMatch(message);
    }
  });
});

describe('retryDelay', () => {
  it('doubles after each failure in a row, up to the cap', () => {
    const policy = { firstMs: 5000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, policy))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
  });
});
