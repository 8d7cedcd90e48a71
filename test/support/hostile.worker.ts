/**
 * A worker for the parser pool's tests that misbehaves on request, as a hostile file makes a real
 * parser do: by file name, it spins for ever ("spin"), grows its heap until the limit ("grow"),
 * waits ("wait-<ms>") or answers at once with the name as its text.
 */
import { serveRequests } from '../../src/common/worker-protocol';
import type { ParseRequest } from '../../src/ingestion/parsers/parse-protocol';

serveRequests<ParseRequest>(async (req) => {
  const name = req.filename;
  if (name === 'spin') for (;;);
  if (name === 'grow') {
    const hoard: string[][] = [];
    for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => `${i}-${hoard.length}`));
  }
  const wait = /^wait-(\d+)$/.exec(name);
  if (wait) await new Promise((r) => setTimeout(r, Number(wait[1])));
  return Promise.resolve({ result: { text: name, title: null, sections: [], pages: [] } });
});
