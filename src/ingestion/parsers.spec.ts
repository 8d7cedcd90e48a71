import { UnsupportedMediaTypeError } from '../common/errors';
import { parseUpload } from './parsers';

describe('parseUpload', () => {
  it('keeps the main text of an HTML page and drops scripts, styles and navigation', () => {
    const html = `<!doctype html><html><head><title>Cats</title><style>p{}</style></head><body>
      <nav>Home | About</nav><main><h1>On cats</h1><p>Cats sleep a lot.</p><p>They purr.</p></main>
      <script>steal()</script><footer>(c) 2026</footer></body></html>`;
    const sut = parseUpload(Buffer.from(html), 'page.bin', 'application/octet-stream');
    expect(sut.contentType).toBe('text/html');
    expect(sut.title).toBe('Cats');
    expect(sut.text).toContain('On cats');
    expect(sut.text).toContain('Cats sleep a lot.\n\nThey purr.');
    expect(sut.text).not.toMatch(/steal|Home \| About|2026|p\{\}/);
  });

  it('takes a markdown title from its first heading', () => {
    const sut = parseUpload(Buffer.from('# Guide\n\nSome text.'), 'guide.md', '');
    expect(sut).toMatchObject({ contentType: 'text/markdown', title: 'Guide', text: '# Guide\n\nSome text.' });
  });

  it('uses the text field of a JSON object and keeps its scalars as metadata', () => {
    const sut = parseUpload(Buffer.from(JSON.stringify({ title: 'T', text: 'Body here', year: 2020, tags: ['x'] })), 'a.json', 'application/json');
    expect(sut).toMatchObject({ text: 'Body here', title: 'T', metadata: { title: 'T', year: 2020 } });
    expect(sut.metadata).not.toHaveProperty('tags');
  });

  it('refuses binary files and unknown types with UnsupportedMediaTypeError', () => {
    expect(() => parseUpload(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1]), 'x.zip', 'application/zip')).toThrow(UnsupportedMediaTypeError);
    expect(() => parseUpload(Buffer.from('hello\0world'), 'x.txt', 'text/plain')).toThrow(UnsupportedMediaTypeError);
  });

  it('refuses text that is not valid UTF-8', () => {
    expect(() => parseUpload(Buffer.from([0x68, 0xff, 0xfe, 0x69]), 'x.txt', 'text/plain')).toThrow(/not valid UTF-8/);
  });
});
