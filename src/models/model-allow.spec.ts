import { matchesModelAllow } from './model-allow';

describe('matchesModelAllow', () => {
  it('takes exact ids and prefixes ending in *', () => {
    expect(matchesModelAllow('Xenova/bge-m3', ['Xenova/*'])).toBe(true);
    expect(matchesModelAllow('BAAI/bge-m3', ['Xenova/*', 'BAAI/bge-m3'])).toBe(true);
    expect(matchesModelAllow('BAAI/bge-m3-evil', ['BAAI/bge-m3'])).toBe(false);
    expect(matchesModelAllow('XenovaX/model', ['Xenova/*'])).toBe(false);
    expect(matchesModelAllow('anything', [])).toBe(false);
  });
});
