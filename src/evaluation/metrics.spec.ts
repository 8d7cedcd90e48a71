import {
  dcg,
  distinctDocuments,
  hasRelevant,
  meanMetrics,
  ndcgAt,
  queryMetrics,
  recallAt,
  reciprocalRankAt,
} from './metrics';

const judged = (o: Record<string, number>) => new Map(Object.entries(o));

// x (grade 3) is never retrieved; c is judged non-relevant.
const JUDGEMENTS = judged({ x: 3, b: 2, d: 1, c: 0 });
const RANKED = ['a', 'b', 'c', 'd', 'e'];
// Ideal ordering of the judged grades 3, 2, 1: 7/log2(2) + 3/log2(3) + 1/log2(4) = 7 + 1.892789 + 0.5
const IDCG = 9.392789;

describe('distinctDocuments', () => {
  it('keeps the first occurrence of each document, in rank order', () => {
    expect(distinctDocuments(['a', 'a', 'b', 'a', 'c', 'b'])).toEqual(['a', 'b', 'c']);
  });

  it('stops at the limit of distinct documents', () => {
    expect(distinctDocuments(['a', 'a', 'b', 'c', 'd'], 2)).toEqual(['a', 'b']);
  });
});

describe('recallAt', () => {
  it('counts relevant documents in the first k over all relevant documents', () => {
    expect(recallAt(RANKED, JUDGEMENTS, 1)).toBe(0);
    expect(recallAt(RANKED, JUDGEMENTS, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAt(RANKED, JUDGEMENTS, 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAt(RANKED, JUDGEMENTS, 100)).toBeCloseTo(2 / 3, 12);
  });

  it('does not count a judged document of grade 0', () => {
    expect(recallAt(['c'], judged({ c: 0, b: 1 }), 10)).toBe(0);
  });
});

describe('reciprocalRankAt', () => {
  it('is 1 / rank of the first relevant document', () => {
    expect(reciprocalRankAt(RANKED, JUDGEMENTS)).toBe(0.5);
    expect(reciprocalRankAt(['d', 'b'], JUDGEMENTS)).toBe(1);
  });

  it('is 0 when the first relevant document is below rank 10', () => {
    const ranked = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'q10', 'b'];
    expect(reciprocalRankAt(ranked, JUDGEMENTS, 10)).toBe(0);
    expect(recallAt(ranked, JUDGEMENTS, 11)).toBeCloseTo(1 / 3, 12);
  });
});

describe('ndcgAt', () => {
  it('uses gain 2^grade - 1, discount log2(rank + 1), and the ideal order of the judged grades', () => {
    expect(dcg([3, 2, 1], 10)).toBeCloseTo(IDCG, 6);
    // b (grade 2) at rank 2: 3 / log2(3) = 1.892789; d (grade 1) at rank 4: 1 / log2(5) = 0.430677
    expect(ndcgAt(RANKED, JUDGEMENTS)).toBeCloseTo((1.892789 + 0.430677) / IDCG, 6);
    expect(ndcgAt(RANKED, JUDGEMENTS)).toBeCloseTo(0.247367, 6);
  });

  it('rewards graded order: the ideal ranking is 1, the reversed one less', () => {
    expect(ndcgAt(['x', 'b', 'd'], JUDGEMENTS)).toBeCloseTo(1, 12);
    // d, b, x: 1/1 + 3/log2(3) + 7/log2(4) = 1 + 1.892789 + 3.5
    expect(ndcgAt(['d', 'b', 'x'], JUDGEMENTS)).toBeCloseTo(6.392789 / IDCG, 6);
    expect(ndcgAt(['d', 'b', 'x'], JUDGEMENTS)).toBeCloseTo(0.680606, 6);
  });

  it('cuts the ranking and the ideal ranking at k', () => {
    // With k = 1 only the first position counts: ideal 7, ranking b (grade 2) gives 3.
    expect(ndcgAt(['b', 'x'], JUDGEMENTS, 1)).toBeCloseTo(3 / 7, 12);
  });
});

describe('a query with no relevant document retrieved', () => {
  it('scores 0 on every metric', () => {
    const m = queryMetrics(['a', 'b', 'c'], judged({ z: 2 }), [1, 10]);
    expect(m.recall.get(1)).toBe(0);
    expect(m.recall.get(10)).toBe(0);
    expect(m.mrrAt10).toBe(0);
    expect(m.ndcgAt10).toBe(0);
  });

  it('is told apart from a query with no relevant document at all', () => {
    expect(hasRelevant(judged({ z: 2 }))).toBe(true);
    expect(hasRelevant(judged({ z: 0 }))).toBe(false);
    expect(hasRelevant(judged({}))).toBe(false);
    expect(queryMetrics(['z'], judged({ z: 0 }), [1])).toEqual({
      recall: new Map([[1, 0]]),
      mrrAt10: 0,
      ndcgAt10: 0,
    });
  });
});

describe('meanMetrics', () => {
  it('averages each metric over the queries', () => {
    const ks = [1, 5];
    const first = queryMetrics(RANKED, JUDGEMENTS, ks); // recall@1 0, @5 2/3, RR 1/2, nDCG 0.247367
    const second = queryMetrics(['x'], judged({ x: 1 }), ks); // all 1
    const mean = meanMetrics([first, second], ks);
    expect(mean.recall.get(1)).toBeCloseTo(0.5, 12);
    expect(mean.recall.get(5)).toBeCloseTo(5 / 6, 12);
    expect(mean.mrrAt10).toBeCloseTo(0.75, 12);
    expect(mean.ndcgAt10).toBeCloseTo((0.247367 + 1) / 2, 6);
  });

  it('is all zeros for no queries', () => {
    expect(meanMetrics([], [10])).toEqual({ recall: new Map([[10, 0]]), mrrAt10: 0, ndcgAt10: 0 });
  });
});
