/** The markdown report of bench/online.bench.ts: medians of the rounds with min and max, targets. */
import type { Machine } from './bench-run';
import { machineLines } from './bench-run';
import { fmt, table } from './markdown';

export interface RoundFigures {
  round: number;
  loadBefore: string;
  loadAfter?: string;
  raw: Record<string, number>;
  server: Record<string, number>;
}

export interface OnlineReportInput {
  m: Machine;
  seconds: number;
  command: string;
  model: string;
  chunks: number;
  documents: number;
  queries: number;
  concurrent: number;
  clients: number;
  serverEnv: Record<string, string>;
  rawThreads: number;
  rounds: RoundFigures[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function onlineReport(input: OnlineReportInput): string {
  const { rounds } = input;
  const values = (side: 'raw' | 'server', key: string) => rounds.map((r) => r[side][key] ?? NaN);
  const med = (side: 'raw' | 'server', key: string) => median(values(side, key));
  /** "median (min-max)". */
  const cell = (side: 'raw' | 'server', key: string, decimals = 1) => {
    const v = values(side, key);
    return `${fmt(median(v), decimals)} (${fmt(Math.min(...v), decimals)}-${fmt(Math.max(...v), decimals)})`;
  };
  const holds = (ok: boolean) => (ok ? 'holds' : '**falls short**');
  const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;

  const figures = table(
    ['figure', 'raw transformers.js + hnswlib-node', 'ragd over HTTP'],
    [
      [
        'ingest, chunks/s',
        `batch 1: ${cell('raw', 'ingestB1')}; sorted 4: ${cell('raw', 'ingestB4')}; 8: ${cell('raw', 'ingestB8')}; 32: ${cell('raw', 'ingestB32')}`,
        `${cell('server', 'ingestChunksPerS')} (POST to job done; the job's own elapsedMs: ${cell('server', 'jobChunksPerS')})`,
      ],
      [
        'query embedding p50 / p95, ms',
        `${cell('raw', 'embedP50', 2)} / ${cell('raw', 'embedP95', 2)}`,
        `timings.embedMs ${cell('server', 'embedP50', 2)} / ${cell('server', 'embedP95', 2)}`,
      ],
      [
        'dense search p50 / p95, ms',
        `${cell('raw', 'searchP50', 2)} / ${cell('raw', 'searchP95', 2)} (embed + searchKnn)`,
        `${cell('server', 'searchP50', 2)} / ${cell('server', 'searchP95', 2)} (client; server totalMs p50 ${cell('server', 'totalP50', 2)})`,
      ],
      [
        `${input.clients} concurrent clients, q/s`,
        `each its own call: ${cell('raw', 'eachQps')}; each wave of ${input.clients} in one call: ${cell('raw', 'waveQps')}`,
        cell('server', 'concQps'),
      ],
      [
        `${input.clients} concurrent clients, p95 ms`,
        `each: ${cell('raw', 'eachP95')}; wave: ${cell('raw', 'waveP95')}`,
        `${cell('server', 'concP95')} (errors: ${values('server', 'concErrors').join(', ')})`,
      ],
      [
        'peak RSS, MB',
        `after batch-1 ingestion and the queries: ${cell('raw', 'rssBatch1Mb', 0)}; after every batch size: ${cell('raw', 'rssEndMb', 0)}`,
        `${cell('server', 'rssPeakMb', 0)} (idle, model loaded: ${cell('server', 'rssIdleMb', 0)})`,
      ],
      [
        'recall@10 against exact search',
        `${cell('raw', 'recall', 3)} (hnswlib-node defaults: ef 10)`,
        cell('server', 'recall', 3),
      ],
    ],
  );

  const rawBest = med('raw', 'ingestBest');
  const targets = table(
    ['target', 'measured (medians)', ''],
    [
      [
        '/search dense p50 <= 1.25x raw embed + HNSW',
        `${fmt(med('server', 'searchP50'), 2)} vs ${fmt(med('raw', 'searchP50'), 2)} ms: ${ratio(med('server', 'searchP50'), med('raw', 'searchP50'))}`,
        holds(med('server', 'searchP50') <= 1.25 * med('raw', 'searchP50')),
      ],
      [
        'server-side query embedding p50 <= 1.1x raw',
        `${fmt(med('server', 'embedP50'), 2)} vs ${fmt(med('raw', 'embedP50'), 2)} ms: ${ratio(med('server', 'embedP50'), med('raw', 'embedP50'))}`,
        holds(med('server', 'embedP50') <= 1.1 * med('raw', 'embedP50')),
      ],
      [
        `${input.clients} clients q/s >= raw, each wave in one call`,
        `${fmt(med('server', 'concQps'), 1)} vs ${fmt(med('raw', 'waveQps'), 1)}: ${ratio(med('server', 'concQps'), med('raw', 'waveQps'))}`,
        holds(med('server', 'concQps') >= med('raw', 'waveQps')),
      ],
      [
        `${input.clients} clients p95 <= 60 ms`,
        `${fmt(med('server', 'concP95'), 1)} ms`,
        holds(med('server', 'concP95') <= 60),
      ],
      [
        'ingestion >= 1.0x the best raw configuration',
        `${fmt(med('server', 'ingestChunksPerS'), 1)} vs ${fmt(rawBest, 1)} chunks/s: ${ratio(med('server', 'ingestChunksPerS'), rawBest)}`,
        holds(med('server', 'ingestChunksPerS') >= rawBest),
      ],
      [
        'peak RSS <= 1.6x the raw process (batch 1)',
        `${fmt(med('server', 'rssPeakMb'), 0)} vs ${fmt(med('raw', 'rssBatch1Mb'), 0)} MB: ${ratio(med('server', 'rssPeakMb'), med('raw', 'rssBatch1Mb'))}`,
        holds(med('server', 'rssPeakMb') <= 1.6 * med('raw', 'rssBatch1Mb')),
      ],
    ],
  );

  const env = Object.entries(input.serverEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `## The online path against the raw libraries (${input.m.date.slice(0, 10)})`,
    '',
    ...machineLines(input.m, input.seconds),
    '',
    `Load average per round (1, 5, 15 min), before / after: ${rounds.map((r) => `${r.round}: ${r.loadBefore} / ${r.loadAfter ?? '?'}`).join('; ')}.`,
    '',
    `Command: \`${input.command}\`. ${rounds.length} interleaved rounds (odd rounds: server first, even: raw first, after the first); medians with min-max. Model ${input.model} (random weights, real shape), fp32 on both sides. Corpus: XQuAD's ${input.documents} paragraphs, chunked by the server into ${input.chunks} chunks (default 256 tokens, overlap 32); the raw pipeline embeds those same chunk texts. Queries: ${input.queries} XQuAD questions one at a time, then ${input.concurrent} others from ${input.clients} concurrent clients. Server: defaults${env ? ` plus ${env}` : ''}, no generator, no reranker, dense mode, topK 10. Raw: intra-op threads ${input.rawThreads === 0 ? "ONNX Runtime's default" : input.rawThreads}, in a plain node process.`,
    '',
    figures,
    '',
    targets,
    '',
  ].join('\n');
}
