import { analyze, indexTerms } from './tokenizer';

const spans = (text: string, language: string) =>
  analyze(text, language).map((t) => [t.term, text.slice(t.start, t.end)]);

describe('analyze', () => {
  it('stems English with Porter and folds case and accents', () => {
    expect(spans('Flows MEASURED at the Café', 'en')).toEqual([
      ['flow', 'Flows'],
      ['measur', 'MEASURED'],
      ['at', 'at'],
      ['the', 'the'],
      ['cafe', 'Café'],
    ]);
  });

  it('stems Russian with its Snowball stemmer, ё as е', () => {
    const sut = analyze('Библиотеки библиотекам Ёлка', 'ru').map((t) => t.term);
    expect(sut).toEqual(['библиотек', 'библиотек', 'елк']);
  });

  it('removes Arabic short vowels and the article with the Arabic stemmer', () => {
    expect(analyze('المكتبات مُعَلِّم', 'ar').map((t) => t.term)).toEqual(['مكتب', 'معلم']);
  });

  it('keeps Devanagari vowel signs inside the word and stems Hindi', () => {
    const text = 'किताबें लड़कों';
    expect(spans(text, 'hi')).toEqual([
      ['किताब', 'किताबें'],
      ['लड़क', 'लड़कों'],
    ]);
  });

  it('cuts Han runs into overlapping pairs, digits apart', () => {
    expect(spans('北京人口2020年', 'zh')).toEqual([
      ['北京', '北京'],
      ['京人', '京人'],
      ['人口', '人口'],
      ['2020', '2020'],
      ['年', '年'],
    ]);
  });

  it('pairs Thai characters with their vowel and tone marks', () => {
    const text = 'ที่นี่';
    const sut = spans(text, 'th');
    expect(sut.map(([, s]) => s)).toEqual(['ที่นี่']);
  });

  it('keeps offsets exact across surrogate pairs and combining marks', () => {
    const text = '𠀀𠀁 x e\u0301cole 😀 naïve';
    const sut = analyze(text, 'en');
    expect(sut.map((t) => text.slice(t.start, t.end))).toEqual([
      '𠀀𠀁',
      'x',
      'e\u0301cole',
      'naïve',
    ]);
    expect(sut.map((t) => t.term)).toEqual(['𠀀𠀁', 'x', 'ecol', 'naiv']);
  });

  it('stems Latin words in a Russian text as English (what an English query finds)', () => {
    expect(analyze('ядро Linux kernels', 'ru').map((t) => t.term)).toEqual([
      'ядр',
      'linux',
      'kernel',
    ]);
  });

  it('writes index terms with no character FTS5 would read as syntax', () => {
    expect(indexTerms('a "quoted" (b) c*d, NEAR', 'en')).toBe('a quot b c d near');
  });
});
