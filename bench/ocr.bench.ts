/**
 * OCR through a background job, on the built server as a process: a generated 20-page scan (known
 * prose rendered to 300 dpi JPEG pages with @napi-rs/canvas, one page fed 1 degree askew, wrapped
 * in a PDF with pdf-lib) sent to POST /v1/collections/{name}/jobs; the job polled as a client
 * would (its per-page OCR progress recorded), the server's RSS sampled every 100 ms and its peak
 * (VmHWM) read at the end. Reports seconds per page (the item's parse time over its pages), the
 * wall time, the peak RSS, and the character error rate of the stored text against the known text.
 * No embedding model (lexical only): OCR is what is measured.
 *
 * Usage: npm run bench:ocr [-- --pages 20] [-- --dpi 300,200] [-- --skip-build]
 * Writes bench/results/ocr.{md,json}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  argValue,
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
import { ServerProcess } from '../test/support/server-process';
import { characterErrorRate, makeMixedPdf } from '../test/support/scanned-documents';

interface Job {
  id: string;
  state: string;
  current: { ocr?: { pagesDone: number; pages: number } } | null;
  errors: { code: string; message: string }[];
}
interface Item {
  timings: { parseMs: number | null };
}

const WORDS =
  'the council river bridge winter survey report water north field station record letter meeting members garden season early late repair flood bank east west south harvest village market road school church mill farm tenant plot crop beans leeks weather storm spring summer autumn morning evening week month year number second third small large old new'.split(
    ' ',
  );

/** Deterministic prose: `lines` lines of about 60 characters, a sentence or two each. */
function prose(seed: number, lines: number): string[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: lines }, () => {
    const words: string[] = [];
    while (words.join(' ').length < 55) words.push(WORDS[Math.floor(next() * WORDS.length)]!);
    const text = words.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU seconds (user + system) the process has used, all its threads: less noisy than wall time on a busy machine. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function runOnce(pdf: Buffer, pages: string[][], dpi: number, workDir: string) {
  const server = await ServerProcess.start(
    ROOT,
    {
      STORAGE_DIR: path.join(workDir, `storage-${dpi}`),
      MODELS_DIR: path.join(workDir, 'models'),
      ALLOW_REMOTE_MODELS: 'false',
      EMBEDDING_MODEL: 'bench/none',
      PRELOAD_MODELS: 'false',
      OCR: 'on',
      OCR_DPI: String(dpi),
      LOG_LEVEL: 'warn',
    },
    path.join(workDir, `server-${dpi}.log`),
  );
  await server.waitForHealth(60_000);
  await server.post('/v1/collections', { name: 'scans' });
  const rssBeforeMb = server.memory().vmRssMb;
  let rssPeakMb = rssBeforeMb;
  const sampler = setInterval(
    () => (rssPeakMb = Math.max(rssPeakMb, server.memory().vmRssMb)),
    100,
  );
  const form = new FormData();
  form.append('idFromFilename', 'true');
  form.append('files', new Blob([pdf]), 'scan.pdf');
  const cpuBefore = cpuSeconds(server.pid);
  const t0 = performance.now();
  const res = await fetch(`${server.baseUrl}/v1/collections/scans/jobs`, {
    method: 'POST',
    body: form,
  });
  const accepted = (await res.json()) as Job;
  if (res.status !== 202) throw new Error(`POST jobs: ${res.status} ${JSON.stringify(accepted)}`);
  const progressSeen = new Set<number>();
  let job = accepted;
  for (;;) {
    job = (await server.get<Job>(`/v1/jobs/${accepted.id}`)).body;
    if (job.current?.ocr) progressSeen.add(job.current.ocr.pagesDone);
    if (['done', 'failed', 'cancelled'].includes(job.state)) break;
    await sleep(500);
  }
  const wallMs = performance.now() - t0;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  clearInterval(sampler);
  const memory = server.memory();
  if (job.state !== 'done') throw new Error(`job ${job.state}: ${JSON.stringify(job.errors)}`);
  const [item] = (await server.get<{ items: Item[] }>(`/v1/jobs/${accepted.id}/items`)).body.items;
  const doc = (await server.get<{ text: string }>('/v1/collections/scans/documents/scan.pdf')).body;
  const cer = characterErrorRate(pages.map((p) => p.join(' ')).join(' '), doc.text);
  await server.stop();
  const parseMs = item?.timings.parseMs ?? NaN;
  progress(
    `OCR_DPI ${dpi}: ${fmt(parseMs / 1000 / pages.length, 2)} s/page (${fmt(cpu / pages.length, 2)} CPU s), CER ${fmt(cer * 100, 2)}%, peak RSS ${fmt(memory.vmHwmMb, 0)} MB`,
  );
  return {
    dpi,
    pages: pages.length,
    parseMs,
    wallMs,
    secondsPerPage: parseMs / 1000 / pages.length,
    cpuSecondsPerPage: cpu / pages.length,
    cer,
    rssBeforeMb,
    rssPeakSampledMb: Math.max(rssPeakMb, memory.vmRssMb),
    vmHwmMb: memory.vmHwmMb,
    progressSeen: [...progressSeen].sort((a, b) => a - b),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const count = intArg(argv, 'pages', 20, 1);
  const dpis = (argValue(argv, 'dpi') ?? '300').split(',').map(Number);
  const { m, workDir } = await startBench('ocr', argv.includes('--skip-build'));
  const pages = Array.from({ length: count }, (_, i) => prose(i + 1, 24));
  progress(`making a ${count}-page scan (300 dpi JPEG pages, page 2 rotated 1 degree)`);
  const pdf = await makeMixedPdf(
    pages.map((scan, i) => ({
      scan,
      options: { dpi: 300, format: 'jpeg' as const, ...(i === 1 ? { rotate: 1 } : {}) },
    })),
  );
  const runs = [];
  for (const dpi of dpis) runs.push(await runOnce(pdf, pages, dpi, workDir));
  m.uptimeAfter = shell('uptime', []);
  const md = [
    `# OCR through a background job (${count}-page generated scan)`,
    '',
    ...machineLines(m, elapsedSeconds()),
    '',
    `Scan: ${count} pages of known prose (24 lines of ~60 characters, 12 pt DejaVu Sans), 300 dpi JPEG, ${fmt(pdf.length / 1024 / 1024, 1)} MB PDF; page 2 rotated 1 degree. Server: OCR on, eng, no embedding model.`,
    '',
    table(
      [
        'OCR_DPI',
        's/page (parse)',
        'CPU s/page (server)',
        'job wall time',
        'CER',
        'RSS before',
        'peak RSS (VmHWM)',
        'progress seen',
      ],
      runs.map((r) => [
        String(r.dpi),
        fmt(r.secondsPerPage, 2),
        fmt(r.cpuSecondsPerPage, 2),
        `${fmt(r.wallMs / 1000, 1)} s`,
        `${fmt(r.cer * 100, 2)}%`,
        `${fmt(r.rssBeforeMb, 0)} MB`,
        `${fmt(r.vmHwmMb, 0)} MB`,
        `${r.progressSeen.length} distinct pagesDone values`,
      ]),
    ),
    '',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('ocr', md, { machine: m, runs, pdfBytes: pdf.length });
}

runMain(main);
