import { CorruptDocumentError, EncryptedDocumentError } from '../../common/errors';
import { makeDocx, makeZip } from '../../../test/support/document-files';
import { docxParser as sut } from './docx.parser';

describe('docxParser', () => {
  it('reads Word headings as sections, paragraphs and table rows as blocks', async () => {
    const data = makeDocx(
      [
        { text: 'Annual report', style: 'Title' },
        { text: 'Methods', style: 'Heading1' },
        { text: 'Training', style: 'Heading2' },
        { text: 'We trained the model for three days.' },
        { text: 'Results', style: 'Heading1' },
        { text: 'It works.' },
      ],
      [
        ['Metric', 'Value'],
        ['Accuracy', '0.91'],
      ],
    );
    expect(sut.sniff(data)).toBe('match');
    const doc = await sut.parse(data, {});
    expect(doc.title).toBe('Annual report');
    expect(doc.text).toBe(
      'Annual report\n\nMethods\n\nTraining\n\nWe trained the model for three days.\n\nResults\n\nIt works.\n\nMetric | Value\n\nAccuracy | 0.91',
    );
    expect(doc.sections.map((s) => s.path)).toEqual([
      ['Annual report'],
      ['Methods'],
      ['Methods', 'Training'],
      ['Results'],
    ]);
    expect(doc.pages).toEqual([]);
  });

  it('refuses a password-protected document as encrypted', async () => {
    // An encrypted OOXML package is an OLE compound file with an EncryptionInfo stream.
    const data = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(512),
      Buffer.from('EncryptionInfo', 'utf16le'),
    ]);
    expect(sut.sniff(data)).toBe('match');
    await expect(sut.parse(data, {})).rejects.toThrow(EncryptedDocumentError);
  });

  it('refuses a damaged document as corrupt', async () => {
    const data = makeZip({ 'word/document.xml': '<w:document><w:body><w:p>' });
    expect(sut.sniff(data)).toBe('match');
    await expect(sut.parse(data, {})).rejects.toThrow(CorruptDocumentError);
  });

  it('does not claim other ZIP files or legacy .doc files', () => {
    expect(sut.sniff(makeZip({ 'xl/workbook.xml': '<workbook/>' }))).toBe('impossible');
    expect(
      sut.sniff(
        Buffer.concat([
          Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
          Buffer.alloc(512),
        ]),
      ),
    ).toBe('impossible');
  });
});
