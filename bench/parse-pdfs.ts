/**
 * Parses the real PDFs in ../shared/datasets/pdfs (arXiv papers) with the server's own parser
 * and chunker, and prints per file: pages, characters, sections found, chunks (sized by the
 * token estimate at the default chunk size) and the parse time. Not part of `npm test`: the
 * files are not in this repository.
 *
 * Usage: npm run bench:parse [-- --show name.pdf] [-- --repeat 5] [-- --no-ocr]
 * (--show prints the section tree and the first characters of every page, to judge headings and
 * reading order by eye; --repeat parses each file that many times and reports the median wall and
 * CPU time (CPU time is steadier on a busy machine: pdf.js runs in this thread); the
 * parser is given the OCR options the server gives it with OCR=on, unless --no-ocr: text PDFs
 * need no OCR, but every page is checked for a text layer and every file for form fields)
 *
 * Exits 2 when ../shared/datasets/pdfs is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chunkText } from '../src/ingestion/chunker';
import { estimateTokenCounter } from '../src/engines/token-counter';
import { parseFile } from '../src/ingestion/parsers/parser-registry';
import { fmt, table } from './lib/markdown';

const PDFS_DIR = path.resolve(__dirname, '..', '..', 'shared', 'datasets', 'pdfs');
const CHUNK = { size: 256, overlap: 32, maxTokens: 512 };
const OCR = { languages: ['eng'], dpi: 300, maxPixels: 40_000_000, pageLimit: 500 };

async function main(): Promise<void> {
  if (!fs.existsSync(PDFS_DIR)) {
    console.error(
      `Missing ${PDFS_DIR}: the PDFs live in ../shared/datasets/pdfs next to the project. Nothing to parse.`,
    );
    process.exit(2);
  }
  const show = process.argv.includes('--show')
    ? process.argv[process.argv.indexOf('--show') + 1]
    : undefined;
  const repeat = Number(
    process.argv.includes('--repeat') ? process.argv[process.argv.indexOf('--repeat') + 1] : 1,
  );
  const ocr = !process.argv.includes('--no-ocr');
  const rows: string[][] = [];
  for (const name of fs
    .readdirSync(PDFS_DIR)
    .filter((f) => f.endsWith('.pdf'))
    .sort()) {
    const data = fs.readFileSync(path.join(PDFS_DIR, name));
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let doc: Awaited<ReturnType<typeof parseFile>> | undefined;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      doc = await parseFile(
        { data, filename: name, mimeType: 'application/pdf' },
        ocr ? { ocr: OCR } : {},
      );
      const cpu = process.cpuUsage(cpu0);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      times.push(performance.now() - t0);
    }
    if (!doc) throw new Error('--repeat must be at least 1');
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ms = median(times);
    const cpuMs = median(cpuTimes);
    const chunks = chunkText(doc.text, estimateTokenCounter, CHUNK, doc);
    const withSection = chunks.filter((c) => c.sectionPath !== null).length;
    const multiPage = chunks.filter((c) => c.pageStart !== c.pageEnd).length;
    rows.push([
      name,
      String(doc.pages.length),
      String(doc.text.length),
      String(doc.sections.length),
      String(chunks.length),
      String(withSection),
      String(multiPage),
      fmt(ms, 0),
      fmt(cpuMs, 0),
      doc.title ?? '-',
    ]);
    if (name === show) {
      for (const s of doc.sections)
        console.log(`${'  '.repeat(s.path.length - 1)}${s.path.at(-1)}  [${s.start}-${s.end}]`);
      for (const p of doc.pages)
        console.log(
          `--- page ${p.page}: ${JSON.stringify(doc.text.slice(p.start, Math.min(p.end, p.start + 300)))}`,
        );
    }
  }
  console.log(
    `Parsed ${rows.length} PDFs from ${PDFS_DIR} (${ocr ? 'OCR options given' : 'no OCR options'}; parse ms: median of ${repeat}); chunks sized by estimate at ${CHUNK.size} tokens\n`,
  );
  console.log(
    table(
      [
        'file',
        'pages',
        'chars',
        'sections',
        'chunks',
        'chunks in a section',
        'chunks over 2+ pages',
        'parse ms',
        'CPU ms',
        'title',
      ],
      rows,
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
