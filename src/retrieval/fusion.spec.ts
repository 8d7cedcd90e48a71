import { reciprocalRankFusion } from './fusion';

describe('reciprocalRankFusion', () => {
  it('ranks an id found by both lists above ids found by one', () => {
    const sut = reciprocalRankFusion([
      { name: 'dense', ids: [1, 2, 3] },
      { name: 'lexical', ids: [4, 3, 5] },
    ]);
    expect(sut[0]!.id).toBe(3);
    expect(sut[0]!.ranks).toEqual({ dense: 3, lexical: 2 });
    expect(sut[0]!.score).toBeCloseTo(1 / 63 + 1 / 62, 10);
  });

  it('applies list weights', () => {
    const sut = reciprocalRankFusion([
      { name: 'dense', ids: [1], weight: 1 },
      { name: 'lexical', ids: [2], weight: 2 },
    ]);
    expect(sut.map((f) => f.id)).toEqual([2, 1]);
  });

  it('breaks score ties deterministically and ignores duplicates within a list', () => {
    const sut = reciprocalRankFusion([
      { name: 'a', ids: [7, 7, 8] },
      { name: 'b', ids: [8, 9] },
    ]);
    expect(sut.map((f) => f.id)).toEqual([8, 7, 9]);
    expect(sut.find((f) => f.id === 7)!.score).toBeCloseTo(1 / 61, 10);
  });

  it('returns nothing for empty lists', () => {
    expect(reciprocalRankFusion([{ name: 'a', ids: [] }])).toEqual([]);
  });
});
