import { CorruptDocumentError, InvalidInputError } from '../../common/errors';
import { jsonParser as sut } from './json.parser';

const parse = (value: unknown, textFields?: string[]) =>
  sut.parse(
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    textFields ? { textFields } : {},
  );

describe('jsonParser', () => {
  it('reads the first default text field as the text and keeps every other field as metadata', () => {
    const doc = parse({
      title: 'T',
      text: 'Body here',
      year: 2020,
      tags: ['x'],
      author: { name: 'Ann' },
    });
    expect(doc).toMatchObject({
      text: 'Body here',
      title: 'T',
      sections: [],
      metadata: { title: 'T', year: 2020, tags: ['x'], author: { name: 'Ann' } },
    });
    expect(doc.metadata).not.toHaveProperty('text');
  });

  it('reads the fields named in textFields, nested ones by dot path, each a section when there are several', () => {
    const doc = parse(
      { id: 7, article: { lead: 'Short lead.', body: ['Para one.', 'Para two.'] }, note: 'kept' },
      ['article.lead', 'article.body'],
    );
    expect(doc.text).toBe('Short lead.\n\nPara one.\n\nPara two.');
    expect(doc.sections.map((s) => [s.path, doc.text.slice(s.start, s.end)])).toEqual([
      [['article.lead'], 'Short lead.\n\n'],
      [['article.body'], 'Para one.\n\nPara two.'],
    ]);
    expect(doc.metadata).toEqual({ id: 7, note: 'kept' });
  });

  it('reads an array of objects as records, each a section named by its title', () => {
    const doc = parse([{ title: 'First', text: 'One.' }, { other: 1 }, { text: 'Three.' }]);
    expect(doc.text).toBe('One.\n\nThree.');
    expect(doc.records).toBe(true);
    expect(doc.sections.map((s) => s.path)).toEqual([['First'], ['[2]']]);
    expect(doc.metadata).toEqual({ records: 2 });
  });

  it('indexes JSON without text fields as its pretty-printed text', () => {
    const doc = parse({ a: 1, b: [true] });
    expect(doc.text).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
    expect(doc.metadata).toEqual({});
  });

  it('refuses invalid JSON, and metadata beyond the limit of a JSON request', () => {
    expect(() => parse('{"text": ')).toThrow(CorruptDocumentError);
    expect(() => parse({ text: 'x', blob: 'y'.repeat(70000) })).toThrow(InvalidInputError);
  });
});
