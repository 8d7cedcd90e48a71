/**
 * Retrieval evaluation datasets from ../shared/datasets: documents, queries and graded judgements.
 *
 *   cranfield  Cranfield 1400: 1,400 aeronautics abstracts, 225 queries, relevance codes 1-4.
 *   xquad      XQuAD English (SQuAD v1.1 layout): 240 paragraphs; each of the 1,190 questions is a
 *              query whose one relevant document (grade 1) is its paragraph.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const DATASET_NAMES = ['cranfield', 'xquad'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface EvalDocument {
  id: string;
  title: string;
  text: string;
}

export interface EvalQuery {
  id: string;
  query: string;
  /** Document id -> grade (> 0 relevant). */
  relevant: Record<string, number>;
}

export interface Dataset {
  name: DatasetName;
  documents: EvalDocument[];
  queries: EvalQuery[];
  /** How relevance was read from the data, for the report. */
  relevance: string;
  /** Oddities of the data worth saying in the report. */
  notes: string[];
}

/** The files a dataset needs, relative to the datasets folder. */
export const DATASET_FILES: Record<DatasetName, string[]> = {
  cranfield: ['cranfield/cran.all.1400', 'cranfield/cran.qry', 'cranfield/cranqrel'],
  xquad: ['xquad/xquad.en.json'],
};

/** Paths a dataset needs that do not exist. */
export function missingFiles(datasetsDir: string, name: DatasetName): string[] {
  return DATASET_FILES[name].map((f) => path.join(datasetsDir, f)).filter((p) => !existsSync(p));
}

export function loadDataset(
  datasetsDir: string,
  name: DatasetName,
  options: { maxRelevantCode?: 3 | 4 } = {},
): Dataset {
  switch (name) {
    case 'cranfield':
      return loadCranfield(path.join(datasetsDir, 'cranfield'), options.maxRelevantCode ?? 4);
    case 'xquad':
      return loadXquadDataset(path.join(datasetsDir, 'xquad', 'xquad.en.json'));
  }
}

// ---------------------------------------------------------------------------------------------
// Cranfield
// ---------------------------------------------------------------------------------------------

const readLines = (file: string) => readFileSync(file, 'utf8').split(/\r?\n/);
const squeeze = (lines: string[]) => lines.join(' ').replace(/\s+/g, ' ').trim();

interface SmartRecord {
  id: string;
  fields: Map<string, string[]>;
}

/**
 * SMART-format records: `.I n` starts one, `.T`, `.A`, `.B`, `.W` lines start fields. Once `.W` has
 * begun, marker-like lines belong to the text (document 240 has stray `.A`/`.B` lines in its
 * abstract, 576 and 578 a second `.W`).
 */
function smartRecords(file: string): SmartRecord[] {
  const records: SmartRecord[] = [];
  let current: SmartRecord | undefined;
  let field: string | undefined;
  for (const line of readLines(file)) {
    const id = /^\.I\s+(\d+)\s*$/.exec(line);
    if (id) {
      current = { id: id[1]!, fields: new Map() };
      records.push(current);
      field = undefined;
      continue;
    }
    if (!current) continue;
    const marker = /^\.([TABW])\s*$/.exec(line);
    if (marker && field !== 'W') {
      field = marker[1]!;
      current.fields.set(field, []);
      continue;
    }
    if (field) current.fields.get(field)!.push(line);
  }
  return records;
}

/**
 * Documents: title + text (the .T and .W fields), id = the .I number. Queries: cran.qry numbers them
 * 001, 002, 004, ... while cranqrel numbers them 1..225 in file order, so they are matched by
 * position. cranqrel codes: 1 complete answer ... 4 minimal interest, -1 none; grade = 5 - code for
 * codes 1..maxRelevantCode, everything else grade 0.
 */
function loadCranfield(dir: string, maxRelevantCode: 3 | 4): Dataset {
  const notes: string[] = [];
  const documents: EvalDocument[] = [];
  const empty: string[] = [];
  for (const r of smartRecords(path.join(dir, 'cran.all.1400'))) {
    const title = squeeze(r.fields.get('T') ?? []);
    const body = squeeze(r.fields.get('W') ?? []);
    const text = [title, body].filter((s) => s.length > 0).join('\n\n');
    if (!text) {
      empty.push(r.id);
      continue;
    }
    documents.push({ id: r.id, title, text });
  }
  const queryRecords = smartRecords(path.join(dir, 'cran.qry'));
  const judgements = new Map<number, Record<string, number>>();
  const codes = new Map<number, number>();
  for (const line of readLines(path.join(dir, 'cranqrel'))) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3) continue;
    const [q, doc, c] = parts.map(Number) as [number, number, number];
    if (!Number.isInteger(q) || !Number.isInteger(doc) || !Number.isInteger(c))
      throw new Error(`cranqrel: cannot read line ${JSON.stringify(line)}`);
    codes.set(c, (codes.get(c) ?? 0) + 1);
    const grade = c >= 1 && c <= maxRelevantCode ? 5 - c : 0;
    const forQuery = judgements.get(q) ?? {};
    forQuery[String(doc)] = Math.max(forQuery[String(doc)] ?? 0, grade);
    judgements.set(q, forQuery);
  }
  const queries = queryRecords.map((r, i) => ({
    id: String(i + 1),
    query: squeeze(r.fields.get('W') ?? []),
    relevant: judgements.get(i + 1) ?? {},
  }));
  const qrelQueries = [...judgements.keys()];
  if (queryRecords.length !== 225 || Math.max(...qrelQueries) !== queryRecords.length) {
    notes.push(
      `cran.qry has ${queryRecords.length} queries and cranqrel numbers up to ${Math.max(...qrelQueries)}: matched by position anyway`,
    );
  }
  if (empty.length > 0)
    notes.push(
      `documents ${empty.join(', ')} have neither title nor text in cran.all.1400 and are not indexed (their judgements still count)`,
    );
  const codeCounts = [...codes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ');
  return {
    name: 'cranfield',
    documents,
    queries,
    relevance: `cranqrel codes 1-${maxRelevantCode} relevant, grade = 5 - code (${maxRelevantCode === 4 ? '4, 3, 2, 1' : '4, 3, 2; code 4 dropped'}); code -1 and unjudged = 0. Judgement lines per code: ${codeCounts}`,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// XQuAD
// ---------------------------------------------------------------------------------------------

interface SquadFile {
  data: {
    title: string;
    paragraphs: { context: string; qas: { id: string; question: string }[] }[];
  }[];
}

/** Documents: the paragraphs, id `${articleIndex}-${paragraphIndex}`; a query per question. */
function loadXquadDataset(file: string): Dataset {
  const squad = JSON.parse(readFileSync(file, 'utf8')) as SquadFile;
  const documents: EvalDocument[] = [];
  const queries: EvalQuery[] = [];
  squad.data.forEach((article, a) => {
    article.paragraphs.forEach((p, i) => {
      const id = `${a}-${i}`;
      documents.push({ id, title: article.title, text: p.context });
      for (const qa of p.qas)
        queries.push({ id: qa.id, query: qa.question, relevant: { [id]: 1 } });
    });
  });
  return {
    name: 'xquad',
    documents,
    queries,
    relevance: "each question's own paragraph is its one relevant document (grade 1)",
    notes: [],
  };
}
