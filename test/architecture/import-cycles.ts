/**
 * Fails when src/ has an import cycle: between files (madge) or between top-level folders (the
 * file graph collapsed to folders), so that dependencies keep pointing one way. Run by npm test.
 */
import madge from 'madge';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The top-level folder of a file under src/ ('(root)' for main.ts, app.module.ts, ...). */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0]! : '(root)';
}

/** Cycles in a directed graph (one per strongly connected component of more than one node). */
export function findCycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

async function main(): Promise<void> {
  const result = await madge(path.join(ROOT, 'src'), {
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    excludeRegExp: [/\.spec\.ts$/],
  });
  const graph = result.obj();
  const fileCycles = result.circular();
  const folders = new Map<string, Set<string>>();
  const examples = new Map<string, string>();
  for (const [file, deps] of Object.entries(graph)) {
    const from = folderOf(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to === from || from === '(root)') continue; // main.ts and app.module.ts import everything
      folders.get(from)!.add(to);
      if (!examples.has(`${from}>${to}`)) examples.set(`${from}>${to}`, `${file} -> ${dep}`);
    }
  }
  const folderCycles = findCycles(folders);
  for (const cycle of fileCycles) console.error(`file cycle: ${cycle.join(' -> ')}`);
  for (const cycle of folderCycles) {
    console.error(`folder cycle: ${cycle.join(', ')}`);
    for (const a of cycle)
      for (const b of cycle) {
        const e = examples.get(`${a}>${b}`);
        if (e) console.error(`  ${e}`);
      }
  }
  const files = Object.keys(graph).length;
  if (fileCycles.length + folderCycles.length > 0) process.exit(1);
  console.log(`import cycles: none among ${files} files and ${folders.size} folders of src/`);
}

void main();
