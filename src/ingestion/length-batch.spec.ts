import { similarLengthBatch } from './length-batch';

const items = (...counts: number[]) => counts.map((token_count, id) => ({ id, token_count }));

describe('similarLengthBatch', () => {
  it('keeps items within 25% + 8 tokens of the shortest', () => {
    expect(
      similarLengthBatch(items(40, 45, 58, 59, 120, 250), 32).map((i) => i.token_count),
    ).toEqual([40, 45, 58]);
  });

  it('stops at the batch size', () => {
    expect(similarLengthBatch(items(10, 10, 10, 10), 3)).toHaveLength(3);
  });

  it('makes a batch of one for a lone long item, and none from nothing', () => {
    expect(similarLengthBatch(items(500), 32)).toHaveLength(1);
    expect(similarLengthBatch([], 32)).toEqual([]);
  });
});
