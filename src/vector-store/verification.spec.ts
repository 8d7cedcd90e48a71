import { ID_SAMPLE, verifyAgainstStored } from './verification';

const READY = { state: 'ready' as const, size: 3, capacity: 16, deletedSlots: 1, elements: 4 };

describe('verifyAgainstStored', () => {
  it('is consistent when the store holds exactly the stored ids and the element count agrees', () => {
    const sut = verifyAgainstStored(READY, [3, 1, 2], new Set([1, 2, 3]));
    expect(sut).toEqual({
      ...READY,
      storedVectors: 3,
      missing: { count: 0, first: [] },
      extra: { count: 0, first: [] },
      consistent: true,
    });
  });

  it('lists stored ids the store lacks and ids it has that are not stored', () => {
    const sut = verifyAgainstStored({ ...READY, size: 2, elements: 3 }, [1, 2, 3], [2, 9]);
    expect(sut.missing).toEqual({ count: 2, first: [1, 3] });
    expect(sut.extra).toEqual({ count: 1, first: [9] });
    expect(sut.consistent).toBe(false);
  });

  it('counts every difference but lists only the smallest ids, ascending', () => {
    const stored = Array.from({ length: 50 }, (_, i) => 100 - i);
    const sut = verifyAgainstStored({ ...READY, size: 0, elements: 1 }, stored, []);
    expect(sut.missing.count).toBe(50);
    expect(sut.missing.first).toEqual(Array.from({ length: ID_SAMPLE }, (_, i) => 51 + i));
  });

  it('is not consistent while building, or when the store counts other elements than the books', () => {
    expect(
      verifyAgainstStored({ ...READY, state: 'building', done: 3, total: 3 }, [1, 2, 3], [1, 2, 3])
        .consistent,
    ).toBe(false);
    expect(verifyAgainstStored({ ...READY, elements: 5 }, [1, 2, 3], [1, 2, 3]).consistent).toBe(
      false,
    );
  });
});
