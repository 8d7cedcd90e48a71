import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** File extensions ragd parses (src/ingestion/parsers/formats.ts); other files are skipped. */
export const INDEXED_EXTENSIONS: ReadonlySet<string> = new Set([
  'pdf',
  'docx',
  'html',
  'htm',
  'xhtml',
  'json',
  'csv',
  'tsv',
  'md',
  'markdown',
  'mdown',
  'mkd',
  'txt',
  'text',
  'log',
]);

export interface LocalFile {
  /** Relative to the folder, with "/" (the document's name in the collection). */
  relativePath: string;
  absolutePath: string;
  bytes: number;
  sha256: string;
}

/**
 * The files to index: every file of a supported format under each folder (hidden files and
 * folders, and node_modules, skipped), and files named directly, relative to `base`.
 */
export async function localFiles(targets: readonly string[], base: string): Promise<LocalFile[]> {
  const found = new Map<string, string>();
  for (const t of targets) {
    const abs = path.resolve(t);
    const stat = await fs.stat(abs);
    if (stat.isDirectory()) for (const f of await walk(abs)) found.set(f, f);
    else found.set(abs, abs);
  }
  const files: LocalFile[] = [];
  for (const abs of [...found.keys()].sort()) {
    const relativePath = path.relative(base, abs).split(path.sep).join('/');
    if (relativePath.startsWith('../'))
      throw new Error(`${abs} is outside ${base}: name files inside the folder being indexed`);
    const { size } = await fs.stat(abs);
    files.push({ relativePath, absolutePath: abs, bytes: size, sha256: await sha256(abs) });
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && INDEXED_EXTENSIONS.has(extension(e.name))) out.push(p);
  }
  return out;
}

const extension = (name: string) => path.extname(name).slice(1).toLowerCase();

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
