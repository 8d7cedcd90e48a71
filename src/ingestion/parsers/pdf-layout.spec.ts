import { LayoutBlock, TextRun, layoutPages } from './pdf-layout';

/** A run of text; Helvetica averages about half an em a character. */
const run = (text: string, x: number, y: number, size = 10): TextRun => ({
  text,
  x,
  y,
  size,
  width: text.length * size * 0.5,
});

/** Lines of a column, top down, 12 points apart. */
const column = (x: number, top: number, lines: string[], size = 10) =>
  lines.map((t, i) => run(t, x, top - i * 12, size));

const texts = (blocks: LayoutBlock[]) =>
  blocks.map((b) =>
    b.kind === 'heading'
      ? `#${b.level} ${b.text}`
      : b.kind === 'table'
        ? b.rows.map((r) => r.join(' | ')).join('\n')
        : b.text,
  );

const FULL = 'a line of body text that fills the column'; // 41 characters: 205 points at 10 pt

describe('layoutPages', () => {
  it('reads a two-column page column by column, with a full-width title first', () => {
    const runs = [
      run('A Study of Columns', 150, 740, 18),
      ...column(72, 700, [
        'Left one starts the text and it goes',
        'on down the left column until it',
        'ends here at the bottom of the left.',
      ]),
      ...column(320, 700, [
        'Right one continues the text in the',
        'right column, read after the left',
        'column as a reader would read it.',
      ]),
    ];
    const sut = layoutPages([{ number: 1, runs }]);
    expect(sut.title).toBe('A Study of Columns');
    expect(texts(sut.pages[0]!.blocks)).toEqual([
      'A Study of Columns',
      'Left one starts the text and it goes\non down the left column until it\nends here at the bottom of the left.',
      'Right one continues the text in the\nright column, read after the left\ncolumn as a reader would read it.',
    ]);
  });

  it('reads the columns above a full-width caption before the caption, and those below it after', () => {
    const runs = [
      ...column(72, 700, [
        'Top left text runs here and here.',
        'More top left text in this column.',
      ]),
      ...column(320, 700, [
        'Top right text runs here and here.',
        'More top right text in this column.',
      ]),
      run('Figure 1: a caption as wide as the page, across both of the columns.', 72, 600),
      ...column(72, 560, [
        'Bottom left text runs here and there.',
        'More bottom left text in the column.',
      ]),
      ...column(320, 560, [
        'Bottom right text runs here and there.',
        'More bottom right text in the column.',
      ]),
    ];
    const blocks = texts(layoutPages([{ number: 1, runs }]).pages[0]!.blocks);
    expect(blocks.map((b) => b.split(' ').slice(0, 2).join(' '))).toEqual([
      'Top left',
      'Top right',
      'Figure 1:',
      'Bottom left',
      'Bottom right',
    ]);
  });

  it('reads a one-column page top down, splits paragraphs at wider gaps and joins hyphenated words', () => {
    const runs = [
      run('The first paragraph has a word that is hyphen-', 72, 700),
      run('ated at the end of its line, and a left-to-', 72, 688),
      run('right compound that keeps its hyphens.', 72, 676),
      run('The second paragraph starts after a gap.', 72, 650),
    ];
    const blocks = texts(layoutPages([{ number: 1, runs }]).pages[0]!.blocks);
    expect(blocks).toEqual([
      'The first paragraph has a word that is hyphenated at the end of its line, and a left-to-right compound that keeps its hyphens.',
      'The second paragraph starts after a gap.',
    ]);
  });

  it('finds numbered, larger and named headings, a section number apart from its title included', () => {
    const runs = [
      run('Abstract', 72, 740, 12),
      run(FULL, 72, 720),
      run('2', 72, 690, 12),
      run('Methods', 90, 690, 12),
      run(FULL, 72, 670),
      run('2.1 Training the model', 72, 650),
      run(FULL, 72, 638),
      run('References', 72, 600, 12),
      run('[1] A. Author. A paper. 2020.', 72, 585),
    ];
    const blocks = texts(layoutPages([{ number: 1, runs }]).pages[0]!.blocks);
    expect(blocks).toEqual([
      '#1 Abstract',
      FULL,
      '#1 2 Methods',
      FULL,
      '#2 2.1 Training the model',
      FULL,
      '#1 References',
      '[1] A. Author. A paper. 2020.',
    ]);
  });

  it('keeps a superscript on its line and leaves out nothing but blank runs', () => {
    const runs = [
      run('Transformers', 72, 700),
      run('2', 132, 703.5, 7),
      run(' ', 140, 700),
      run('are models.', 145, 700),
    ];
    expect(texts(layoutPages([{ number: 1, runs }]).pages[0]!.blocks)).toEqual([
      'Transformers2 are models.',
    ]);
  });

  it('lays out every page, empty ones included', () => {
    const sut = layoutPages([
      { number: 1, runs: [run('Page one text.', 72, 700)] },
      { number: 2, runs: [] },
    ]);
    expect(sut.pages.map((p) => [p.number, p.blocks.length])).toEqual([
      [1, 1],
      [2, 0],
    ]);
  });
});
