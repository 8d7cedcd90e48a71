import { NoExtractableTextError, UnsupportedMediaTypeError } from '../../common/errors';
import { makeDocx, makePdf } from '../../../test/support/document-files';
import { chooseParser, parseFile } from './parser-registry';

const file = (data: Buffer | string, filename: string, mimeType = '') => ({
  data: Buffer.from(data),
  filename,
  mimeType,
});

describe('chooseParser', () => {
  it('reads a PDF or a DOCX by its signature, whatever its name and declared type', () => {
    expect(
      chooseParser(
        file(makePdf([{ texts: [{ x: 72, y: 700, text: 'Hi' }] }]), 'notes.txt', 'text/plain'),
      ).contentType,
    ).toBe('application/pdf');
    expect(
      chooseParser(file(makeDocx([{ text: 'Hi' }]), 'upload.bin', 'application/octet-stream'))
        .contentType,
    ).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });

  it('reads PNG, JPEG, TIFF and WebP images by their signatures, and refuses a fake one', async () => {
    const images: [number[], string][] = [
      [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
      [[0xff, 0xd8, 0xff, 0xe0], 'image/jpeg'],
      [[0x49, 0x49, 0x2a, 0x00], 'image/tiff'],
      [[0x4d, 0x4d, 0x00, 0x2a], 'image/tiff'],
      [[0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50], 'image/webp'],
    ];
    for (const [bytes, type] of images)
      expect(chooseParser(file(Buffer.from([...bytes, 0, 0]), 'upload.bin')).contentType).toBe(
        type,
      );
    expect(() => chooseParser(file('not an image', 'photo.png'))).toThrow(
      UnsupportedMediaTypeError,
    );
    // With OCR off an image has no text to read: 422, as a scanned PDF.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    await expect(parseFile(file(png, 'scan.png'))).rejects.toMatchObject({
      status: 422,
      code: 'no_extractable_text',
      message: expect.stringMatching(/OCR, which is off/),
    });
  });

  it('refuses a file named or declared as PDF or DOCX whose bytes are not', () => {
    expect(() => chooseParser(file('just some text', 'paper.pdf'))).toThrow(
      UnsupportedMediaTypeError,
    );
    expect(() => chooseParser(file('just some text', 'x', 'application/pdf'))).toThrow(
      /declared as application\/pdf/,
    );
    expect(() =>
      chooseParser(file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1]), 'x.docx')),
    ).toThrow(UnsupportedMediaTypeError);
  });

  it('takes a specific declared type before the extension, and the extension before sniffing', () => {
    expect(chooseParser(file('a,b\n1,2', 'data.txt', 'text/csv')).contentType).toBe('text/csv');
    expect(chooseParser(file('# Title', 'notes.md', 'text/plain')).contentType).toBe(
      'text/markdown',
    );
    expect(chooseParser(file('{"text": "x"}', 'a.txt', 'text/plain')).contentType).toBe(
      'text/plain',
    );
    expect(chooseParser(file('a\tb\n1\t2', 'table.tsv')).contentType).toBe('text/csv');
  });

  it('sniffs HTML and JSON when neither type nor extension says', () => {
    expect(
      chooseParser(
        file('<!DOCTYPE html><html><body>x</body></html>', 'page.bin', 'application/octet-stream'),
      ).contentType,
    ).toBe('text/html');
    expect(chooseParser(file('  {"text": "x"}', 'blob')).contentType).toBe('application/json');
    expect(chooseParser(file('[{"text": "x"}]', 'blob')).contentType).toBe('application/json');
    expect(chooseParser(file('plain words', 'blob')).contentType).toBe('text/plain');
    expect(chooseParser(file('[INFO] server started', 'server-log')).contentType).toBe(
      'text/plain',
    );
  });

  it('refuses binary files of unknown formats with the supported list', () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'latin1');
    expect(() => chooseParser(file(gif, 'x.gif', 'image/gif'))).toThrow(
      /supported: .*\.pdf.*\.docx.*\.png.*\.jpg.*\.tiff?.*\.webp/,
    );
    expect(() => chooseParser(file('hello\0world', 'x.txt', 'text/plain'))).toThrow(
      UnsupportedMediaTypeError,
    );
  });
});

describe('parseFile', () => {
  it('stores plain text as it is, without structure', async () => {
    const sut = await parseFile(
      file('\uFEFFFirst line.\n\nSecond paragraph.', 'a.txt', 'text/plain'),
    );
    expect(sut).toEqual({
      text: 'First line.\n\nSecond paragraph.',
      contentType: 'text/plain',
      metadata: {},
      sections: [],
      pages: [],
    });
  });

  it('refuses text that is not valid UTF-8', async () => {
    await expect(
      parseFile(file(Buffer.from([0x68, 0xff, 0xfe, 0x69]), 'x.txt', 'text/plain')),
    ).rejects.toThrow(/not valid UTF-8/);
  });

  it('refuses a file with nothing to index (422)', async () => {
    await expect(parseFile(file(' \n\n ', 'empty.txt'))).rejects.toThrow(NoExtractableTextError);
    await expect(
      parseFile(file('<html><body><script>x()</script></body></html>', 'a.html')),
    ).rejects.toMatchObject({ status: 422, code: 'no_extractable_text' });
  });
});
