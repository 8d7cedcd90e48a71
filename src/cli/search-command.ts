import type { Command } from 'commander';
import { contextOf } from './cli-context';
import { CliError, EXIT } from './exit-codes';
import { seg } from './ragd-client';
import { relativePathOf } from './sync-plan';

interface SearchHit {
  documentId: string;
  title: string | null;
  text: string;
  score: number;
  pageStart: number | null;
  pageEnd: number | null;
}

export function searchCommand(program: Command): void {
  program
    .command('search')
    .description('Search a collection: the best passages with their file, page and score')
    .argument('<collection>')
    .argument('<query...>')
    .option('-m, --mode <mode>', 'hybrid, dense or lexical (default: hybrid when it can)')
    .option('-k, --top-k <n>', 'results', '5')
    .option('-f, --filter <json>', 'metadata filter, e.g. \'{"team":"infra"}\'')
    .option('--rerank', 'rerank with the cross-encoder')
    .action(async (collection: string, words: string[], o: SearchOptions, command: Command) => {
      const { client, out } = contextOf(command);
      const res = await client.post<{ results: SearchHit[]; mode: string; modeReason?: string }>(
        `/v1/collections/${seg(collection)}/search`,
        {
          query: words.join(' '),
          topK: positiveInt(o.topK, '--top-k'),
          ...(o.mode ? { mode: o.mode } : {}),
          ...(o.filter ? { filter: jsonObject(o.filter, '--filter') } : {}),
          ...(o.rerank ? { rerank: true } : {}),
        },
      );
      out.result(res, () =>
        [
          `${res.results.length} results (${res.mode}${res.modeReason ? `; ${res.modeReason}` : ''})`,
          ...res.results.map(
            (r, i) =>
              `${i + 1}. ${placeOf(r)}  score ${r.score.toFixed(3)}\n   ${oneLine(r.text, 200)}`,
          ),
        ].join('\n'),
      );
    });
}

interface SearchOptions {
  mode?: string;
  topK: string;
  filter?: string;
  rerank?: boolean;
}

/** "guides/setup.md p. 3-4": the file (a synced document's path) and its pages. */
export function placeOf(r: {
  documentId: string;
  title: string | null;
  pageStart: number | null;
  pageEnd: number | null;
}): string {
  const pages =
    r.pageStart === null
      ? ''
      : r.pageEnd !== null && r.pageEnd !== r.pageStart
        ? ` p. ${r.pageStart}-${r.pageEnd}`
        : ` p. ${r.pageStart}`;
  return `${relativePathOf(r.documentId)}${pages}`;
}

export function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${name} must be a positive integer`, EXIT.usage);
  return n;
}

export function jsonObject(v: string, name: string): Record<string, unknown> {
  try {
    const o: unknown = JSON.parse(v);
    if (typeof o === 'object' && o !== null && !Array.isArray(o))
      return o as Record<string, unknown>;
  } catch {
    // below
  }
  throw new CliError(`${name} must be a JSON object`, EXIT.usage);
}

const oneLine = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};
