import { CollectionSample, OTHER_COLLECTIONS, capCollections } from './collection-labels';

const sample = (id: number, chunks: number, vectors = chunks): CollectionSample => ({
  id,
  name: `c${id}`,
  embedded: chunks,
  pending: 1,
  vectors,
});

describe('capCollections', () => {
  it('keeps every collection when there are no more than the cap', () => {
    const rows = [sample(1, 5), sample(2, 7)];
    const sut = capCollections(rows, 2);
    expect(sut.map((r) => r.name)).toEqual(['c1', 'c2']);
  });

  it('keeps the largest collections and sums the rest under "other"', () => {
    const rows = [sample(1, 5), sample(2, 50), sample(3, 1), sample(4, 20)];
    const sut = capCollections(rows, 2);
    expect(sut.map((r) => r.name)).toEqual(['c2', 'c4', OTHER_COLLECTIONS]);
    expect(sut[2]).toMatchObject({ embedded: 6, pending: 2, vectors: 6 });
  });

  it('breaks ties by age (the lower id first), so the labels are stable', () => {
    const rows = [sample(3, 10), sample(1, 10), sample(2, 10)];
    expect(capCollections(rows, 2).map((r) => r.name)).toEqual(['c1', 'c2', OTHER_COLLECTIONS]);
  });

  it('with a cap of 0 sums everything under "other"', () => {
    const sut = capCollections([sample(1, 3), sample(2, 4)], 0);
    expect(sut).toEqual([{ id: -1, name: OTHER_COLLECTIONS, embedded: 7, pending: 2, vectors: 7 }]);
  });

  it('merges a kept collection named "other" into the "other" series instead of doubling it', () => {
    const rows = [{ ...sample(1, 100), name: OTHER_COLLECTIONS }, sample(2, 50), sample(3, 1)];
    const sut = capCollections(rows, 2);
    expect(sut.map((r) => r.name)).toEqual(['c2', OTHER_COLLECTIONS]);
    expect(sut[1]).toMatchObject({ embedded: 101, pending: 2 });
  });

  it('bounds 10,000 collections to cap + 1 series', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => sample(i + 1, i % 97));
    expect(capCollections(rows, 100)).toHaveLength(101);
  });
});
