/**
 * A bounded hostile soak of the built server on loopback: for a few minutes, clients (with a
 * short pause between requests, `--pause-ms`) send a seeded mix of reads (search, list, get), writes (add, replace, delete documents),
 * uploads (small text and Markdown files) and hostile requests (the bombs of
 * test/support/bomb-files.ts, malformed and deeply nested JSON, a 1,000-term filter, truncated
 * multipart), while a prober sends GET /health every 100 ms and the server's RSS is sampled
 * every second. Pass: no 5xx other than 503 with Retry-After, /health p99 under 100 ms, RSS flat
 * (the last third's mean within 15% of the middle third's), the server alive at the end.
 *
 * Models: the tiny generated test models (test/fixtures/models; `npm run test:models`): the soak
 * measures the boundary and the parsers, not model speed.
 *
 * Usage: flock /tmp/ragd-bench.lock npm run bench:soak [-- --seconds 180] [-- --clients 4] [-- --pause-ms 10] [-- --skip-build]
 * Writes bench/results/soak.{md,json}.
 */
import * as path from 'node:path';
import { deepHtml, pdfBomb, wideCsv, zipBombDocx } from '../test/support/bomb-files';
import { SeededRandom } from '../test/support/seeded-random';
import { ServerProcess } from '../test/support/server-process';
import { TINY_ENV, tinyModelsPresent } from '../test/support/tiny-models';
import {
  elapsedSeconds,
  intArg,
  machineLines,
  progress,
  ROOT,
  runMain,
  shell,
  startBench,
  writeResults,
} from './lib/bench-run';
import { fmt, table } from './lib/markdown';
import { percentile } from './lib/stats';

type Kind = 'read' | 'write' | 'upload' | 'hostile';

interface Op {
  kind: Kind;
  name: string;
  weight: number;
  send: (base: string, n: number) => Promise<Response>;
}

const json = (base: string, method: string, p: string, body: unknown) =>
  fetch(`${base}${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const upload = (base: string, data: Buffer, filename: string) => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), filename);
  return fetch(`${base}/v1/collections/soak/documents`, { method: 'POST', body: form });
};

const BOMBS = {
  docx: zipBombDocx(1024),
  html: deepHtml(30_000),
  pdf: pdfBomb(160),
  csv: wideCsv(100_000),
};
const WORDS = ['river', 'mill', 'train', 'station', 'garden', 'winter', 'bridge', 'harbour'];
const text = (n: number) =>
  Array.from({ length: 12 }, (_, i) => WORDS[(n + i * 3) % WORDS.length]).join(' ') +
  `. Note ${n}.`;

const OPS: Op[] = [
  {
    kind: 'read',
    name: 'search',
    weight: 30,
    send: (b, n) =>
      json(b, 'POST', '/v1/collections/soak/search', {
        query: `${WORDS[n % 8]} ${WORDS[(n + 3) % 8]}`,
        topK: 5,
      }),
  },
  {
    kind: 'read',
    name: 'list documents',
    weight: 8,
    send: (b) => fetch(`${b}/v1/collections/soak/documents?limit=20`),
  },
  {
    kind: 'read',
    name: 'get document',
    weight: 8,
    send: (b, n) => fetch(`${b}/v1/collections/soak/documents/d${n % 50}`),
  },
  {
    kind: 'write',
    name: 'add document',
    weight: 12,
    send: (b, n) =>
      json(b, 'POST', '/v1/collections/soak/documents', {
        documents: [{ id: `w${n}`, text: text(n) }],
      }),
  },
  {
    kind: 'write',
    name: 'replace document',
    weight: 5,
    send: (b, n) =>
      json(b, 'PUT', `/v1/collections/soak/documents/d${n % 50}`, { text: text(n + 1) }),
  },
  {
    kind: 'write',
    name: 'delete document',
    weight: 5,
    send: (b, n) => fetch(`${b}/v1/collections/soak/documents/w${n - 7}`, { method: 'DELETE' }),
  },
  {
    kind: 'upload',
    name: 'upload text',
    weight: 8,
    send: (b, n) => upload(b, Buffer.from(text(n)), `u${n}.txt`),
  },
  {
    kind: 'upload',
    name: 'upload markdown',
    weight: 4,
    send: (b, n) => upload(b, Buffer.from(`# Note ${n}\n\n${text(n)}\n`), `u${n}.md`),
  },
  {
    kind: 'hostile',
    name: 'DOCX zip bomb',
    weight: 2,
    send: (b) => upload(b, BOMBS.docx, 'bomb.docx'),
  },
  {
    kind: 'hostile',
    name: 'deep HTML',
    weight: 2,
    send: (b) => upload(b, BOMBS.html, 'deep.html'),
  },
  { kind: 'hostile', name: 'PDF bomb', weight: 2, send: (b) => upload(b, BOMBS.pdf, 'bomb.pdf') },
  {
    kind: 'hostile',
    name: 'CSV 100k columns',
    weight: 1,
    send: (b) => upload(b, BOMBS.csv, 'wide.csv'),
  },
  {
    kind: 'hostile',
    name: 'malformed JSON',
    weight: 2,
    send: (b) => json(b, 'POST', '/v1/collections/soak/search', '{"query":'),
  },
  {
    kind: 'hostile',
    name: 'JSON 9,000 deep',
    weight: 2,
    send: (b) =>
      json(
        b,
        'POST',
        '/v1/collections/soak/search',
        `{"query":"x","filter":${'['.repeat(9000)}${']'.repeat(9000)}}`,
      ),
  },
  {
    kind: 'hostile',
    name: 'filter of 1,000 terms',
    weight: 2,
    send: (b) =>
      json(b, 'POST', '/v1/collections/soak/search', {
        query: 'x',
        filter: { $or: Array.from({ length: 1000 }, (_, i) => ({ k: i })) },
      }),
  },
  {
    kind: 'hostile',
    name: 'truncated multipart',
    weight: 2,
    send: (b) =>
      fetch(`${b}/v1/collections/soak/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=XX' },
        body: '--XX\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nhello',
      }),
  },
];

interface Tally {
  count: number;
  statuses: Map<number, number>;
  ms: number[];
  bad: number;
}

runMain(async () => {
  const argv = process.argv.slice(2);
  const seconds = intArg(argv, 'seconds', 180, 10);
  const clients = intArg(argv, 'clients', 4, 1);
  const pauseMs = intArg(argv, 'pause-ms', 10, 0);
  tinyModelsPresent();
  const { m, workDir } = await startBench('soak', argv.includes('--skip-build'));
  const server = await ServerProcess.start(
    ROOT,
    {
      ...TINY_ENV,
      STORAGE_DIR: path.join(workDir, 'storage'),
      MAX_FILE_BYTES: String(24 * 1024 * 1024),
    },
    path.join(workDir, 'server.log'),
  );
  await server.waitForEmbeddingReady(60_000);
  const base = server.baseUrl;
  await json(base, 'POST', '/v1/collections', { name: 'soak' });
  await json(base, 'POST', '/v1/collections/soak/documents', {
    documents: Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: text(i) })),
  });
  progress(`soak: ${seconds} s, ${clients} clients, ${OPS.length} kinds of request`);

  const tallies = new Map<string, Tally>(
    OPS.map((o) => [o.name, { count: 0, statuses: new Map<number, number>(), ms: [], bad: 0 }]),
  );
  const bad: string[] = [];
  const total = OPS.reduce((s, o) => s + o.weight, 0);
  const end = performance.now() + seconds * 1000;
  let n = 1000;
  const client = async (seed: number) => {
    const rng = new SeededRandom(seed);
    while (performance.now() < end) {
      let pick = rng.next() * total;
      const op = OPS.find((o) => (pick -= o.weight) < 0) ?? OPS[0]!;
      const t = tallies.get(op.name)!;
      const t0 = performance.now();
      const res = await op.send(base, n++).catch(
        (e: Error) =>
          ({
            status: 599,
            headers: new Headers(),
            text: () => Promise.resolve(e.message),
          }) as unknown as Response,
      );
      const body = await res.text();
      t.ms.push(performance.now() - t0);
      t.count++;
      t.statuses.set(res.status, (t.statuses.get(res.status) ?? 0) + 1);
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      if (res.status >= 500 && !(res.status === 503 && res.headers.get('retry-after'))) {
        t.bad++;
        if (bad.length < 20) bad.push(`${op.name}: ${res.status} ${body.slice(0, 200)}`);
      }
    }
  };
  const health: number[] = [];
  let healthFailures = 0;
  const prober = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await fetch(`${base}/health`).catch(() => undefined);
      if (res?.status === 200) await res.text();
      else healthFailures++;
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(server.memory().vmRssMb), 1000);
  await Promise.all([prober(), ...Array.from({ length: clients }, (_, i) => client(13 + i))]);
  clearInterval(sampler);
  const alive = (await fetch(`${base}/health`)).status === 200;
  const peak = server.memory().vmHwmMb;
  await server.stop();
  m.uptimeAfter = shell('uptime', []);

  const third = Math.floor(rss.length / 3);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const middle = mean(rss.slice(third, 2 * third));
  const last = mean(rss.slice(2 * third));
  const sorted = [...health].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const fiveXx = [...tallies.values()].reduce((s, t) => s + t.bad, 0);
  const requests = [...tallies.values()].reduce((s, t) => s + t.count, 0);
  const flat = last <= middle * 1.15;
  const rows = OPS.map((o) => {
    const t = tallies.get(o.name)!;
    const ms = [...t.ms].sort((a, b) => a - b);
    const statuses = [...t.statuses.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, c]) => `${s}×${c}`)
      .join(' ');
    return [
      o.kind,
      o.name,
      String(t.count),
      statuses,
      fmt(percentile(ms, 50), 0),
      fmt(percentile(ms, 99), 0),
      String(t.bad),
    ];
  });
  const md = [
    '# Hostile soak (`npm run bench:soak`)',
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `${seconds} s, ${clients} clients, each pausing ${pauseMs} ms between requests, ${requests} requests; /health every 100 ms.`,
    '',
    table(
      ['kind', 'request', 'sent', 'statuses', 'p50 ms', 'p99 ms', '5xx (not 503+Retry-After)'],
      rows,
    ),
    '',
    table(
      ['figure', 'value', 'target', 'holds'],
      [
        ['5xx other than 503 with Retry-After', String(fiveXx), '0', fiveXx === 0 ? 'yes' : 'no'],
        [
          '/health p50 / p99 / max (ms)',
          `${fmt(percentile(sorted, 50), 1)} / ${fmt(p99, 1)} / ${fmt(sorted.at(-1), 0)}`,
          'p99 < 100',
          p99 < 100 ? 'yes' : 'no',
        ],
        ['/health failures', String(healthFailures), '0', healthFailures === 0 ? 'yes' : 'no'],
        [
          'RSS start / middle third / last third / peak (MB)',
          `${fmt(rss[0], 0)} / ${fmt(middle, 0)} / ${fmt(last, 0)} / ${fmt(peak, 0)}`,
          'last within 15% of middle',
          flat ? 'yes' : 'no',
        ],
        ['alive afterwards', alive ? 'yes' : 'no', 'yes', alive ? 'yes' : 'no'],
      ],
    ),
    ...(bad.length ? ['', 'First bad responses:', '', ...bad.map((b) => `- ${b}`)] : []),
    '',
  ].join('\n');
  writeResults('soak', md, {
    seconds,
    clients,
    requests,
    fiveXx,
    health: { p99, failures: healthFailures },
    rss,
    peak,
    alive,
    bad,
  });
  console.log(md);
  if (fiveXx > 0 || p99 >= 100 || !flat || !alive || healthFailures > 0) process.exitCode = 1;
});
