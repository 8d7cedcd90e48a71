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

  it('bounds the padded size by maxTokens: long items go in small batches, short ones in large', () => {
    expect(similarLengthBatch(items(250, 250, 251, 252, 255, 256), 32, 1024)).toHaveLength(4);
    expect(similarLengthBatch(items(...new Array<number>(40).fill(20)), 32, 1024)).toHaveLength(32);
    expect(similarLengthBatch(items(600, 600), 32, 1024)).toHaveLength(1);
  });

  it('makes a batch of one for a lone long item, and none from nothing', () => {
    expect(similarLengthBatch(items(500), 32)).toHaveLength(1);
    expect(similarLengthBatch([], 32)).toEqual([]);
  });
});
