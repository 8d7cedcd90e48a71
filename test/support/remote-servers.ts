/**
 * Two built servers as a user would run them for remote engines: a backend ragd serving the tiny
 * models (its /v1/embeddings, /v1/chat/completions and /v1/rerank), and a front ragd with no local
 * models that uses backends as its engines for all three tasks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServerProcess } from './server-process';
import { TINY_ENV, tinyModelsPresent } from './tiny-models';
import { tempDir } from './test-app';

export const ROOT = path.resolve(__dirname, '../..');

export function builtServerPresent(): void {
  tinyModelsPresent();
  if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
    throw new Error('dist/main.js is missing: run `npm run build` first');
}

/**
 * A ragd serving the tiny models, started (again) on `port` if given; waits until all three are
 * ready. With `apiKey`, its keys are on (RAGD_API_KEY) and every call needs that key.
 */
export async function startBackend(
  logName: string,
  port?: number,
  apiKey?: string,
): Promise<ServerProcess> {
  const server = await ServerProcess.start(
    ROOT,
    {
      ...TINY_ENV,
      STORAGE_DIR: tempDir('ragd-backend-'),
      EMBED_QUERY_WORKER: 'false',
      ...(apiKey ? { RAGD_API_KEY: apiKey } : {}),
    },
    path.join(tempDir('ragd-log-'), `${logName}.log`),
    undefined,
    port,
  );
  server.apiKey = apiKey;
  await server.waitForHealth(30_000);
  for (const task of ['embedding', 'generation', 'reranking'] as const)
    await server.waitForModelReady(task, 60_000);
  return server;
}

/**
 * A ragd with an empty MODELS_DIR whose three default models are served by `backends`; waits
 * until they are ready unless `waitReady` is false.
 */
export async function startFront(
  backends: string[],
  extra: Record<string, string> = {},
  waitReady = true,
): Promise<ServerProcess> {
  const endpoints = backends.map((b) => `${b}/v1`).join(',');
  const server = await ServerProcess.start(
    ROOT,
    {
      ...TINY_ENV,
      MODELS_DIR: tempDir('ragd-no-models-'),
      STORAGE_DIR: tempDir('ragd-front-'),
      EMBEDDING_ENDPOINT: endpoints,
      GENERATION_ENDPOINT: endpoints,
      RERANK_ENDPOINT: endpoints,
      MODEL_RETRY_MS: '1000',
      REMOTE_PROBE_MAX_MS: '500',
      ...extra,
    },
    path.join(tempDir('ragd-log-'), 'front.log'),
  );
  await server.waitForHealth(30_000);
  if (waitReady)
    for (const task of ['embedding', 'generation', 'reranking'] as const)
      await server.waitForModelReady(task, 30_000);
  return server;
}

/** Polls `check` every 100 ms until it returns true (or throws after `ms`). */
export async function eventually(
  what: string,
  ms: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The events of a text/event-stream body: [event name or undefined, parsed data or the raw string]. */
export function sseEvents(body: string): [string | undefined, unknown][] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      try {
        return [event, JSON.parse(data) as unknown];
      } catch {
        return [event, data];
      }
    });
}
