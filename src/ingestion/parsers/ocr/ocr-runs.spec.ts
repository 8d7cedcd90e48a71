import { OcrLine, runsFromBlocks } from './ocr-runs';

const line = (y: number, words: [string, number, number, number][], slope = 0): OcrLine => ({
  words: words.map(([text, x0, x1, confidence]) => ({
    text,
    confidence,
    bbox: { x0, y0: y - 40, x1, y1: y + 8 },
  })),
  baseline: { x0: 0, y0: y, x1: 1000, y1: y + slope },
  rowAttributes: { rowHeight: 48 },
  bbox: { x0: 0, y0: y - 40, x1: 1000, y1: y + 8 },
});

describe('runsFromBlocks', () => {
  it('turns words into runs in page units, y up from the bottom, each on its line baseline', () => {
    const blocks = [
      {
        paragraphs: [
          {
            lines: [
              line(
                400,
                [
                  ['Grey', 100, 200, 90],
                  ['herons', 220, 380, 80],
                ],
                20,
              ),
            ],
          },
        ],
      },
    ];
    const sut = runsFromBlocks(blocks, 1000, 2);
    // Baseline 400..420 across the line: its middle, 410 px from the top of a 1000 px image.
    expect(sut.runs).toEqual([
      { text: 'Grey', x: 50, y: 295, width: 50, size: 24 },
      { text: 'herons', x: 110, y: 295, width: 80, size: 24 },
    ]);
    expect(sut.confidence).toBe(85);
    expect(sut.words).toBe(2);
  });

  it('has confidence 0 and no runs when nothing was recognised', () => {
    const sut = runsFromBlocks(
      [{ paragraphs: [{ lines: [line(100, [['  ', 0, 10, 20]])] }] }],
      500,
    );
    expect(sut).toEqual({ runs: [], confidence: 0, words: 0 });
  });
});
