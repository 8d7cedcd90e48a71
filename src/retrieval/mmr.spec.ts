import { cosine } from '../vector-store/cosine';
import { maximalMarginalRelevance } from './mmr';

describe('maximalMarginalRelevance', () => {
  // a and a2 are near-duplicates; b is different but slightly less relevant.
  const vec: Record<string, Float32Array> = {
    a: Float32Array.from([1, 0, 0]),
    a2: Float32Array.from([0.99, 0.14, 0]),
    b: Float32Array.from([0, 1, 0]),
    c: Float32Array.from([0, 0, 1]),
  };
  const rel: Record<string, number> = { a: 1, a2: 0.95, b: 0.8, c: 0.3 };
  const run = (lambda: number, k = 3) =>
    maximalMarginalRelevance(
      Object.keys(vec),
      (x) => rel[x]!,
      (x, y) => cosine(vec[x]!, vec[y]!),
      k,
      lambda,
    );

  it('is plain relevance order at lambda 1', () => {
    expect(run(1)).toEqual(['a', 'a2', 'b']);
  });

  it('skips a near-duplicate in favour of a different document at lambda 0.5', () => {
    expect(run(0.5)).toEqual(['a', 'b', 'c']);
  });

  it('returns at most k and copes with fewer candidates', () => {
    expect(run(0.7, 2)).toHaveLength(2);
    expect(
      maximalMarginalRelevance(
        [],
        () => 1,
        () => 0,
        5,
        0.5,
      ),
    ).toEqual([]);
  });
});

describe('cosine', () => {
  it('is 1 for parallel, 0 for orthogonal and zero vectors', () => {
    expect(cosine(Float32Array.from([2, 0]), Float32Array.from([5, 0]))).toBeCloseTo(1);
    expect(cosine(Float32Array.from([1, 0]), Float32Array.from([0, 3]))).toBe(0);
    expect(cosine(Float32Array.from([0, 0]), Float32Array.from([1, 1]))).toBe(0);
  });
});
