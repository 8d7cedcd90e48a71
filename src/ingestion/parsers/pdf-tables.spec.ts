import { TextRun, layoutPages } from './pdf-layout';

/** A run of text; Helvetica averages about half an em a character. */
const run = (text: string, x: number, y: number, size = 10): TextRun => ({
  text,
  x,
  y,
  size,
  width: text.length * size * 0.5,
});

/** A row of cells at these x positions, on one baseline. */
const row = (y: number, cells: [string, number][]) => cells.map(([t, x]) => run(t, x, y));

describe('tables in the PDF layout', () => {
  it('reads aligned rows of cells as a table whose first row is the header', () => {
    const runs = [
      run('The results of the trial at the four sites are in the table below, by site.', 72, 700),
      ...row(670, [
        ['Site', 72],
        ['Patients', 200],
        ['Outcome', 320],
      ]),
      ...row(658, [
        ['Leeds', 72],
        ['120', 215],
        ['improved', 320],
      ]),
      ...row(646, [
        ['York', 72],
        ['95', 220],
        ['stable', 320],
      ]),
      ...row(634, [
        ['Hull', 72],
        ['', 200],
        ['withdrawn', 320],
      ]),
      run(
        'The trial ends here, as the table does, and the report goes on to other things.',
        72,
        610,
      ),
    ];
    const sut = layoutPages([{ number: 1, runs }]).pages[0]!.blocks;
    expect(sut).toEqual([
      {
        kind: 'paragraph',
        text: 'The results of the trial at the four sites are in the table below, by site.',
      },
      {
        kind: 'table',
        rows: [
          ['Site', 'Patients', 'Outcome'],
          ['Leeds', '120', 'improved'],
          ['York', '95', 'stable'],
          ['Hull', '', 'withdrawn'],
        ],
      },
      {
        kind: 'paragraph',
        text: 'The trial ends here, as the table does, and the report goes on to other things.',
      },
    ]);
  });

  it('leaves alone two wide stretches of prose on each line (columns missed by the gutter search)', () => {
    const left = 'this is a long stretch of prose text';
    const right = 'and so is this one on the right side';
    // Two full-width lines above keep the gutter search from finding columns.
    const wide = 'a line of text across the whole width of the page, from margin to margin';
    const runs = [
      run(wide, 72, 724),
      run(wide, 72, 712),
      ...[0, 1, 2].flatMap((i) =>
        row(700 - i * 12, [
          [left, 72],
          [right, 300],
        ]),
      ),
    ];
    const sut = layoutPages([{ number: 1, runs }]).pages[0]!.blocks;
    expect(sut.map((b) => b.kind)).toEqual(['paragraph']);
  });

  it('leaves alone justified prose whose wide word gaps cut its lines into stretches', () => {
    const wide = 'a line of text across the whole width of the page, from margin to margin';
    const runs = [
      run(wide, 72, 724),
      run(wide, 72, 712),
      ...row(700, [
        ['Pretraining', 72],
        ['methods', 150],
        ['have', 220],
        ['been', 270],
        ['designed', 320],
      ]),
      ...row(688, [
        ['with', 72],
        ['different', 150],
        ['training', 220],
        ['objectives,', 270],
        ['includ-', 340],
      ]),
      ...row(676, [
        ['ing', 72],
        ['language', 150],
        ['modeling', 220],
        ['(Dai and Le,', 270],
        ['2015;', 340],
      ]),
    ];
    const sut = layoutPages([{ number: 1, runs }]).pages[0]!.blocks;
    expect(sut.map((b) => b.kind)).not.toContain('table');
  });

  it('needs three rows: a header and one row is not taken for a table', () => {
    const runs = [
      ...row(670, [
        ['Name', 72],
        ['Value', 300],
      ]),
      ...row(658, [
        ['alpha', 72],
        ['1', 300],
      ]),
    ];
    const sut = layoutPages([{ number: 1, runs }]).pages[0]!.blocks;
    expect(sut.map((b) => b.kind)).toEqual(['paragraph']);
  });
});
