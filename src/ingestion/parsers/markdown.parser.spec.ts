import { markdownParser as sut } from './markdown.parser';

const parse = (text: string) => sut.parse(Buffer.from(text), {});

describe('markdownParser', () => {
  it('keeps the file as the text and opens a section at every heading, under its parents', () => {
    const text =
      '# Guide\n\nIntro.\n\n## Methods\n\n### Training\nWe train.\n\n## Results ##\n\nGood.\n';
    const doc = parse(text);
    expect(doc.text).toBe(text);
    expect(doc.title).toBe('Guide');
    expect(doc.sections.map((s) => s.path)).toEqual([
      ['Guide'],
      ['Guide', 'Methods'],
      ['Guide', 'Methods', 'Training'],
      ['Guide', 'Results'],
    ]);
    const training = doc.sections[2]!;
    expect(text.slice(training.start, training.bodyStart)).toBe('### Training');
    expect(text.slice(training.bodyStart, training.end).trim()).toBe('We train.');
    expect(doc.sections[3]!.end).toBe(text.length);
  });

  it('reads setext headings and plain words from inline markup', () => {
    const doc = parse('Overview\n========\n\nText.\n\nThe *fast* [path](http://x)\n---\n\nMore.');
    expect(doc.sections.map((s) => s.path)).toEqual([['Overview'], ['Overview', 'The fast path']]);
  });

  it('ignores # lines inside fenced code and front matter, and takes the front-matter title', () => {
    const text =
      '---\ntitle: "Notes"\n---\n# Real\n\n```bash\n# not a heading\n```\n\n~~~\n## nor this\n~~~\n';
    const doc = parse(text);
    expect(doc.title).toBe('Notes');
    expect(doc.sections.map((s) => s.path)).toEqual([['Real']]);
  });

  it('has no sections without headings', () => {
    expect(parse('Just a paragraph.\n\nAnd another.').sections).toEqual([]);
  });
});
