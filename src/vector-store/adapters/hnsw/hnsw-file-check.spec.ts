import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IncompleteWriteError } from '../../../common/storage-faults';
import { assertCompleteHnswFile } from './hnsw-file-check';
import { HnswVectorIndex } from './hnsw-vector-index';

const PARAMS = { m: 4, efConstruction: 20, efSearch: 20, initialCapacity: 16 };

/** Deterministic vectors (mulberry32). */
function vector(dim: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: dim }, () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

describe('assertCompleteHnswFile', () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ragd-hnsw-check-'));
    file = path.join(dir, 'index.hnsw');
    // m = 4 puts many elements on upper levels, so the file has link lists of several lengths;
    // 300 adds from a capacity of 16 resize it, and removals leave deleted slots.
    const index = HnswVectorIndex.create(8, PARAMS);
    for (let i = 0; i < 300; i++) index.add(i, vector(8, i + 1));
    for (let i = 0; i < 300; i += 7) index.remove(i);
    index.write(file);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts a complete file, which hnswlib reads back', () => {
    expect(() => assertCompleteHnswFile(file)).not.toThrow();
    const read = HnswVectorIndex.read(file, 8, PARAMS);
    expect(read.search(vector(8, 2), 1)[0]?.label).toBe(1);
  });

  it.each([0, 50, 96, 1000, 0.5, 0.9, -4, -1])('rejects the file cut at %p', (cut) => {
    const bytes = fs.readFileSync(file);
    const at =
      cut > 0 && cut < 1 ? Math.floor(bytes.length * cut) : cut < 0 ? bytes.length + cut : cut;
    const short = path.join(dir, `short-${at}.hnsw`);
    fs.writeFileSync(short, bytes.subarray(0, at));
    let thrown: unknown;
    try {
      assertCompleteHnswFile(short);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IncompleteWriteError);
    expect((thrown as IncompleteWriteError).written).toBe(at);
    expect((thrown as IncompleteWriteError).expectedAtLeast).toBeGreaterThan(at);
  });

  it('rejects a file that was never created (hnswlib could not open it)', () => {
    expect(() => assertCompleteHnswFile(path.join(dir, 'missing.hnsw'))).toThrow(
      IncompleteWriteError,
    );
  });

  it('rejects a file longer than its structure says', () => {
    const long = path.join(dir, 'long.hnsw');
    fs.writeFileSync(long, Buffer.concat([fs.readFileSync(file), Buffer.alloc(8)]));
    expect(() => assertCompleteHnswFile(long)).toThrow(/8 bytes longer/);
  });
});
