import { nestsDeeperThan } from './json-depth';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('nestsDeeperThan', () => {
  it('counts object and array nesting', () => {
    expect(nestsDeeperThan(bytes('{"a":[1,{"b":[]}]}'), 4)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":[1,{"b":[]}]}'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(bytes('{"a":"[[[[{{{{\\"[[[["}'), 1)).toBe(false);
  });

  it('finds 10,000 open brackets deep fast', () => {
    const deep = bytes('['.repeat(10_000) + ']'.repeat(10_000));
    const t0 = performance.now();
    expect(nestsDeeperThan(deep, 64)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(20);
  });
});
