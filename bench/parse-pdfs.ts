/**
 * Parses the real PDFs in ../shared/datasets/pdfs (arXiv papers) with the server's own parser
 * and chunker, and prints per file: pages, characters, sections found, chunks (sized by the
 * token estimate at the default chunk size) and the parse time. Not part of `npm test`: the
 * files are not in this repository.
 *
 * Usage: npm run bench:parse [-- --show name.pdf]   (--show prints the section tree and the first
 * characters of every page, to judge headings and reading order by eye)
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
  const rows: string[][] = [];
  for (const name of fs
    .readdirSync(PDFS_DIR)
    .filter((f) => f.endsWith('.pdf'))
    .sort()) {
    const data = fs.readFileSync(path.join(PDFS_DIR, name));
    const t0 = performance.now();
    const doc = await parseFile({ data, filename: name, mimeType: 'application/pdf' });
    const ms = performance.now() - t0;
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
    `Parsed ${rows.length} PDFs from ${PDFS_DIR}; chunks sized by estimate at ${CHUNK.size} tokens\n`,
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
