import * as path from 'node:path';
import { DocumentTooLargeError, ParseTimeoutError } from '../../src/common/errors';
import { ParsePool } from '../../src/ingestion/parse-pool';
import type { ParseRequest } from '../../src/ingestion/parsers/parse-protocol';

const req = (filename: string): ParseRequest => ({
  data: new Uint8Array(1),
  filename,
  mimeType: 'text/plain',
  options: {},
});

describe('ParsePool: parser workers with time and memory limits (integration, real threads)', () => {
  let sut: ParsePool;
  beforeEach(() => {
    sut = new ParsePool({
      workers: 1,
      smallFileBytes: 1000,
      timeoutMs: 8000, // ts-node starts each test worker: seconds on a loaded machine
      memoryMb: 64,
      revive: () => undefined,
      worker: { dir: path.resolve(__dirname, '../support'), script: 'hostile.worker' },
    });
  });
  afterEach(() => sut.close());

  it('stops a file that runs past the time limit (422 parse_timeout) and keeps serving', async () => {
    const t0 = Date.now();
    await expect(sut.parse(req('spin'), 10_000)).rejects.toBeInstanceOf(ParseTimeoutError);
    expect(Date.now() - t0).toBeLessThan(20_000);
    await expect(sut.parse(req('after'), 10_000)).resolves.toMatchObject({ text: 'after' });
  });

  it('stops a file that needs more than the heap limit (413) and replaces the worker', async () => {
    const e: unknown = await sut.parse(req('grow'), 10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DocumentTooLargeError);
    expect((e as Error).message).toMatch(/more than 64 MB \(PARSE_MEMORY_MB\)/);
    await expect(sut.parse(req('again'), 10_000)).resolves.toMatchObject({ text: 'again' });
  });

  it('parses a small file while a large one holds the general worker', async () => {
    const large = sut.parse(req('wait-5000'), 10_000);
    const t0 = Date.now();
    await expect(sut.parse(req('small'), 10)).resolves.toMatchObject({ text: 'small' });
    expect(Date.now() - t0).toBeLessThan(4500);
    await expect(large).resolves.toMatchObject({ text: 'wait-5000' });
  });

  it('queues large files in arrival order behind a busy general worker', async () => {
    const order: string[] = [];
    const a = sut.parse(req('wait-300'), 10_000).then(() => order.push('a'));
    const b = sut.parse(req('wait-10'), 10_000).then(() => order.push('b'));
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
  });
});
