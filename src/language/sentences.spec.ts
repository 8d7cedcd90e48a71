import { sentencePattern } from './sentences';

const split = (text: string) =>
  [...text.matchAll(sentencePattern())].map((m) => [m[0].trim(), m.index]);

describe('sentencePattern', () => {
  it('ends sentences at the marks of each script', () => {
    expect(split('北京是首都。上海很大！你去过吗？')).toEqual([
      ['北京是首都。', 0],
      ['上海很大！', 6],
      ['你去过吗？', 11],
    ]);
    expect(split('هل هذا صحيح؟ نعم.').map(([s]) => s)).toEqual(['هل هذا صحيح؟', 'نعم.']);
    expect(split('यह सच है। वह भी।').map(([s]) => s)).toEqual(['यह सच है।', 'वह भी।']);
  });

  it('keeps English as before: ., ! and ? and line ends', () => {
    expect(split('One. Two!\nThree').map(([s]) => s)).toEqual(['One.', 'Two!', 'Three']);
  });

  it('gives UTF-16 offsets that cut no surrogate pair', () => {
    const text = '𠀀是字。😀好！';
    const sut = [...text.matchAll(sentencePattern())].map((m) =>
      text.slice(m.index, m.index + m[0].length),
    );
    expect(sut).toEqual(['𠀀是字。', '😀好！']);
  });
});
