/**
 * The writers of a crash trial: concurrent clients that add (POST, 1-3 documents per request),
 * replace (PUT), create through PUT and delete documents as fast as the server answers, and the
 * ledger of what the server acknowledged. Every document version carries a word no other version
 * has, so a check can tell which version storage holds and search for it.
 *
 * A client works on its own documents only, one request at a time, so each document has at most one
 * request in flight: when the server is killed, storage may hold the document's acknowledged state
 * or the outcome of that one request, nothing else.
 */
import { buildWordPieceVocab, STOPWORDS } from '../models/tokenizers';
import type { HttpResult, ServerProcess } from './server-process';
import type { SeededRandom } from './seeded-random';

export const COLLECTION = 'crash';
const DOCUMENTS = `/v1/collections/${COLLECTION}/documents`;

/** One text of a document. */
export interface Version {
  text: string;
  /** A word found in this version only. */
  word: string;
  /** Chunks the server reported when it acknowledged this version. */
  chunks?: number;
}

export interface TrackedDocument {
  id: string;
  /** Storage holds this (null: no document), by the acknowledged requests and the last check. */
  known: Version | null;
  /** The request in flight when the server was killed: storage may hold its outcome instead. */
  inFlight?: { to: Version | null };
  /** Every version ever sent, to name what storage holds. */
  history: Version[];
  /** Set when a check may search for the document (it changed or was in flight in this trial). */
  touched: boolean;
}

export type RequestKind = 'add' | 'replace' | 'create' | 'delete';

/** What the clients did in one trial. */
export interface WorkloadCounts {
  requests: number;
  /** Documents whose add, replace or create was acknowledged (2xx). */
  acknowledgedWrites: number;
  acknowledgedDeletes: number;
  /** Answered with another status than 2xx (never expected: each is a problem). */
  rejected: number;
}

export interface InFlightRequest {
  kind: RequestKind;
  ids: string[];
}

/** Every document the clients ever wrote, and the words of versions that must not come back. */
export class Ledger {
  readonly documents = new Map<string, TrackedDocument>();
  /** Versions replaced or deleted since the last check (search must not find them). */
  readonly deadVersions: { id: string; version: Version }[] = [];
  private readonly words = new Set<string>();
  private readonly stems: string[];
  private versions = 0;

  constructor(private readonly rng: SeededRandom) {
    const common = new Set([...FILLER, ...STOPWORDS]);
    this.stems = rng.shuffle(
      buildWordPieceVocab().tokens.filter((t) => /^[a-z]{5,}$/.test(t) && !common.has(t)),
    );
  }

  /**
   * A new text: 2-8 sentences of common words, each holding a word no other version has, so every
   * chunk holds it: a word of the tiny embedder's vocabulary that is neither filler nor a stop word
   * (stop words weigh little), taken in turn, joined to a digit and two characters (so FTS5 sees
   * one token no other text has).
   */
  version(): Version {
    const stem = this.stems[this.versions++ % this.stems.length]!;
    let word: string;
    do {
      word = `${stem}${this.rng.int(10)}${SUFFIX[this.rng.int(SUFFIX.length)]}${SUFFIX[this.rng.int(SUFFIX.length)]}`;
    } while (this.words.has(word));
    this.words.add(word);
    const sentences: string[] = [];
    const n = 2 + this.rng.int(7);
    for (let s = 0; s < n; s++) {
      const words = Array.from(
        { length: 6 + this.rng.int(7) },
        () => FILLER[this.rng.int(FILLER.length)]!,
      );
      words.splice(1 + this.rng.int(words.length - 1), 0, word);
      const first = words[0]!;
      words[0] = first[0]!.toUpperCase() + first.slice(1);
      sentences.push(`${words.join(' ')}.`);
    }
    return { text: sentences.join(' '), word };
  }

  track(id: string, to: Version): TrackedDocument {
    const doc: TrackedDocument = {
      id,
      known: null,
      inFlight: { to },
      history: [to],
      touched: true,
    };
    this.documents.set(id, doc);
    return doc;
  }

  /** A request on `doc` is about to be sent. */
  begin(doc: TrackedDocument, to: Version | null): void {
    doc.inFlight = { to };
    doc.touched = true;
    if (to) doc.history.push(to);
  }

  /** The server acknowledged the request on `doc`. */
  acknowledge(doc: TrackedDocument, chunks?: number): void {
    const to = doc.inFlight?.to ?? null;
    if (doc.known && doc.known !== to) this.deadVersions.push({ id: doc.id, version: doc.known });
    doc.known = to ? { ...to, chunks } : null;
    doc.inFlight = undefined;
  }

  /** The server refused the request: nothing changed. */
  refuse(doc: TrackedDocument): void {
    doc.inFlight = undefined;
  }
}

const SUFFIX = 'abcdefghijklmnopqrstuvwxyz0123456789';

const FILLER = `river city train morning house water light garden window table bread market road
bridge station evening winter summer forest mountain village school letter paper music stone field
horse kitchen chair door street coffee doctor teacher children family friend harbour island valley
cloud storm candle mirror pocket basket ladder hammer engine wheel ticket museum library
travels crosses opens carries finds brings keeps leaves builds paints watches reads writes sings
quiet bright narrow heavy early late green yellow small large warm cold`.split(/\s+/);

export interface ClientContext {
  server: () => ServerProcess;
  ledger: Ledger;
  counts: WorkloadCounts;
  inFlight: InFlightRequest[];
  /** Every request of the trial and how it ended: "add c0-1 c0-2: 201", "delete c1-4: in flight". */
  requestLog: string[];
  problems: string[];
  /** Set just before the kill: clients send nothing more, and a request that fails was in flight. */
  stopped: () => boolean;
}

/** One client: adds, replaces, creates through PUT and deletes its own documents until stopped. */
export async function runClient(
  ctx: ClientContext,
  client: number,
  mine: TrackedDocument[],
  rng: SeededRandom,
  next: () => number,
): Promise<void> {
  while (!ctx.stopped()) {
    const live = mine.filter((d) => d.known !== null && !d.inFlight);
    const r = rng.next();
    if (live.length < 3 || r < 0.4) await add(ctx, mine, client, rng, next);
    else if (r < 0.7) await replace(ctx, live[rng.int(live.length)]!);
    else if (r < 0.75) await create(ctx, mine, client, next);
    else await remove(ctx, live[rng.int(live.length)]!);
  }
}

async function add(
  ctx: ClientContext,
  mine: TrackedDocument[],
  client: number,
  rng: SeededRandom,
  next: () => number,
): Promise<void> {
  const docs = Array.from({ length: 1 + rng.int(3) }, () =>
    ctx.ledger.track(`c${client}-${next()}`, ctx.ledger.version()),
  );
  mine.push(...docs);
  const body = { documents: docs.map((d) => ({ id: d.id, text: d.inFlight!.to!.text })) };
  const res = await send<{ documents: { id: string; chunks: number }[] }>(ctx, 'add', docs, (s) =>
    s.post(DOCUMENTS, body),
  );
  if (res === 'in flight') return;
  docs.forEach((d, i) => {
    if (res === 'refused') ctx.ledger.refuse(d);
    else ctx.ledger.acknowledge(d, res.body.documents[i]?.chunks);
  });
  if (res !== 'refused') ctx.counts.acknowledgedWrites += docs.length;
}

async function replace(ctx: ClientContext, doc: TrackedDocument): Promise<void> {
  const to = ctx.ledger.version();
  ctx.ledger.begin(doc, to);
  await put(ctx, doc, to, 'replace');
}

async function create(
  ctx: ClientContext,
  mine: TrackedDocument[],
  client: number,
  next: () => number,
): Promise<void> {
  const to = ctx.ledger.version();
  const doc = ctx.ledger.track(`c${client}-${next()}`, to);
  mine.push(doc);
  await put(ctx, doc, to, 'create');
}

async function put(
  ctx: ClientContext,
  doc: TrackedDocument,
  to: Version,
  kind: 'replace' | 'create',
): Promise<void> {
  const res = await send<{ chunks: number }>(ctx, kind, [doc], (s) =>
    s.put(`${DOCUMENTS}/${encodeURIComponent(doc.id)}`, { text: to.text }),
  );
  if (res === 'in flight') return;
  if (res === 'refused') return ctx.ledger.refuse(doc);
  ctx.ledger.acknowledge(doc, res.body.chunks);
  ctx.counts.acknowledgedWrites++;
}

async function remove(ctx: ClientContext, doc: TrackedDocument): Promise<void> {
  ctx.ledger.begin(doc, null);
  const res = await send(ctx, 'delete', [doc], (s) =>
    s.delete(`${DOCUMENTS}/${encodeURIComponent(doc.id)}`),
  );
  if (res === 'in flight') return;
  if (res === 'refused') return ctx.ledger.refuse(doc);
  ctx.ledger.acknowledge(doc);
  ctx.counts.acknowledgedDeletes++;
}

/** Sends a request; its outcome is acknowledged (2xx), refused (another status) or in flight. */
async function send<T>(
  ctx: ClientContext,
  kind: RequestKind,
  docs: readonly TrackedDocument[],
  call: (server: ServerProcess) => Promise<HttpResult<T>>,
): Promise<HttpResult<T> | 'refused' | 'in flight'> {
  ctx.counts.requests++;
  const ids = docs.map((d) => d.id);
  try {
    const res = await call(ctx.server());
    ctx.requestLog.push(`${kind} ${ids.join(' ')}: ${res.status}`);
    if (res.status >= 200 && res.status < 300) return res;
    ctx.counts.rejected++;
    ctx.problems.push(
      `${kind} ${ids.join(', ')}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
    );
    return 'refused';
  } catch (e) {
    if (!ctx.stopped())
      ctx.problems.push(
        `${kind} ${ids.join(', ')} failed before the kill: ${(e as Error).message}`,
      );
    ctx.inFlight.push({ kind, ids });
    ctx.requestLog.push(`${kind} ${ids.join(' ')}: in flight`);
    return 'in flight';
  }
}
