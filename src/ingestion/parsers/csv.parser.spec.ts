import { CorruptDocumentError } from '../../common/errors';
import { csvParser as sut } from './csv.parser';

const parse = (text: string) => sut.parse(Buffer.from(text), {});

describe('csvParser', () => {
  it('makes every row a record of "column: value" lines, so each carries the header', () => {
    const doc = parse('name,city,note\nAnn,Paris,"likes bread, cheese"\nBob,,"two\nlines"\n');
    expect(doc.text).toBe(
      'name: Ann\ncity: Paris\nnote: likes bread, cheese\n\nname: Bob\nnote: two\nlines',
    );
    expect(doc.records).toBe(true);
    expect(doc.metadata).toEqual({ columns: ['name', 'city', 'note'], rows: 2 });
    expect(doc.sections).toEqual([]);
  });

  it('finds the delimiter from the header line (semicolons, tabs)', () => {
    expect(parse('a;b\n1;2').text).toBe('a: 1\nb: 2');
    expect(parse('a\tb\n1,5\t2').text).toBe('a: 1,5\nb: 2');
  });

  it('names columns without a header and tolerates ragged rows', () => {
    expect(parse('id,\n1,x,extra').text).toBe('id: 1\ncolumn 2: x\ncolumn 3: extra');
  });

  it('refuses a file that is not CSV', () => {
    expect(() => parse('a,b\n"unclosed,2\n')).toThrow(CorruptDocumentError);
  });
});
