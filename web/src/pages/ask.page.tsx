import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request, seg } from '../api/api.client';
import { readEvents } from '../api/sse.reader';
import type {
  ApiErrorBody,
  ChatTurnResult,
  Citation,
  Conversation,
  DocumentList,
} from '../api/types';
import { asError, useApi } from '../api/use-api';
import { setQuery } from '../router/router';
import { ErrorNote } from '../shared/error-note';
import { AnswerFacts, AnswerText, SourceList } from './answer.view';
import { CollectionTabs } from './collection-tabs';
import { SourcePanel, type SourceRef } from './source.panel';

interface Turn {
  question: string;
  text: string;
  sources: Map<number, SourceRef>;
  citations: Citation[];
  result?: ChatTurnResult;
  error?: Error;
  streaming: boolean;
}

/**
 * Questions to a collection as a conversation (POST .../chat with stream: true): the answer comes
 * as it is generated, its citations open the cited passage beside it, and the conversation's id in
 * the address brings its history back after a reload.
 */
export function AskPage({ name, sessionId }: { name: string; sessionId: string | null }) {
  const [initialSession] = useState(sessionId);
  const [session, setSession] = useState(sessionId);
  const history = useApi<Conversation>(
    initialSession ? `/v1/collections/${seg(name)}/chat/${seg(initialSession)}` : null,
  );
  // The stored turns name the documents they cite by id: their titles come from the list.
  const documents = useApi<DocumentList>(
    initialSession ? `/v1/collections/${seg(name)}/documents?limit=1000` : null,
  );
  const [showHistory, setShowHistory] = useState(true);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState('');
  const [mode, setMode] = useState('');
  const [topK, setTopK] = useState(5);
  const [source, setSource] = useState<SourceRef | null>(null);
  const abort = useRef<AbortController | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const latest = turns[turns.length - 1];
  const streaming = latest?.streaming ?? false;
  const update = (change: (t: Turn) => Turn) =>
    setTurns((ts) => [...ts.slice(0, -1), change(ts[ts.length - 1]!)]);

  const ask = async (q: string) => {
    const controller = new AbortController();
    abort.current = controller;
    setTurns((ts) => [
      ...ts,
      { question: q, text: '', sources: new Map(), citations: [], streaming: true },
    ]);
    setQuestion('');
    try {
      const res = await request(`/v1/collections/${seg(name)}/chat`, {
        method: 'POST',
        accept: 'text/event-stream',
        signal: controller.signal,
        json: {
          message: q,
          stream: true,
          topK,
          ...(session ? { sessionId: session } : {}),
          ...(mode ? { mode } : {}),
        },
      });
      for await (const ev of readEvents(res)) {
        const data: unknown = JSON.parse(ev.data);
        if (ev.event === 'sources') {
          const { sources } = data as { sources: Citation[] };
          update((t) => ({ ...t, sources: new Map(sources.map((c) => [c.n, c])) }));
        } else if (ev.event === 'token') {
          const { text } = data as { text: string };
          update((t) => ({ ...t, text: t.text + text }));
        } else if (ev.event === 'done') {
          const result = data as ChatTurnResult;
          update((t) => ({
            ...t,
            text: result.answer,
            result,
            citations: result.citations,
            sources: new Map([...t.sources, ...result.citations.map((c) => [c.n, c] as const)]),
            streaming: false,
          }));
          setSession(result.sessionId);
          setQuery({ session: result.sessionId });
        } else if (ev.event === 'error') {
          const { error } = data as ApiErrorBody;
          throw new ApiError(500, error.code, error.message);
        }
      }
    } catch (e) {
      if (!controller.signal.aborted) update((t) => ({ ...t, error: asError(e) }));
    } finally {
      update((t) => ({ ...t, streaming: false }));
      if (abort.current === controller) abort.current = null;
    }
  };

  const titles = new Map((documents.data?.items ?? []).map((d) => [d.id, d.title]));
  const past = showHistory ? pairs(history.data, titles) : [];
  const earlier = turns.slice(0, -1);

  return (
    <section aria-labelledby="ask-title" class="ask-page">
      <CollectionTabs name={name} current="ask" />
      <div class="title-row">
        <h1 id="ask-title">Ask {name}</h1>
        {(session || turns.length > 0) && (
          <button
            type="button"
            onClick={() => {
              abort.current?.abort();
              setSession(null);
              setTurns([]);
              setShowHistory(false);
              setSource(null);
              setQuery({ session: null });
              field.current?.focus();
            }}
          >
            New conversation
          </button>
        )}
      </div>
      <div class={`ask-layout${source ? ' with-source' : ''}`}>
        <div class="ask-main">
          <ErrorNote error={history.error} what="The conversation could not be loaded" />
          {(past.length > 0 || earlier.length > 0) && (
            <ol class="conversation" aria-label="Conversation">
              {past.map((p, i) => (
                <li key={`h${i}`}>
                  <p class="question">{p.question}</p>
                  <AnswerText text={p.answer} sources={p.sources} onOpen={setSource} />
                </li>
              ))}
              {earlier.map((t, i) => (
                <li key={`t${i}`}>
                  <p class="question">{t.question}</p>
                  <AnswerText text={t.text} sources={t.sources} onOpen={setSource} />
                </li>
              ))}
            </ol>
          )}
          {latest && (
            <section aria-label="Answer" aria-busy={streaming} class="answer card">
              <p class="question">{latest.question}</p>
              {latest.text ? (
                <AnswerText text={latest.text} sources={latest.sources} onOpen={setSource} />
              ) : (
                streaming && <p class="why">Searching and answering…</p>
              )}
              {streaming && latest.text && <span class="typing" aria-hidden="true" />}
              <ErrorNote error={latest.error} what="No answer" />
              {latest.result && <AnswerFacts result={latest.result} />}
              {latest.result && (
                <SourceList citations={latest.result.citations} onOpen={setSource} />
              )}
              {latest.result && latest.result.rewrite !== 'none' && (
                <p class="why">Searched as: “{latest.result.standaloneQuery}”</p>
              )}
            </section>
          )}
          <form
            class="ask-form card"
            onSubmit={(e) => {
              e.preventDefault();
              const q = question.trim();
              if (q && !streaming) void ask(q);
            }}
          >
            <label htmlFor="question">Ask a question</label>
            <textarea
              id="question"
              ref={field}
              rows={2}
              required
              value={question}
              onInput={(e) => setQuestion(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
              aria-describedby="question-hint"
            />
            <p id="question-hint" class="hint">
              Enter asks; Shift+Enter starts a new line. Follow-up questions keep the conversation.
            </p>
            <details class="options">
              <summary>Options</summary>
              <label htmlFor="ask-mode">Retrieval mode</label>
              <select id="ask-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
                <option value="">collection default</option>
                <option value="hybrid">hybrid</option>
                <option value="dense">dense</option>
                <option value="lexical">lexical</option>
              </select>
              <label htmlFor="ask-topk">Sources retrieved</label>
              <input
                id="ask-topk"
                type="number"
                min={1}
                max={50}
                value={topK}
                onInput={(e) => setTopK(Number(e.currentTarget.value) || 5)}
              />
            </details>
            <div class="actions">
              <button type="submit" class="primary" disabled={streaming || !question.trim()}>
                Ask
              </button>
              {streaming && (
                <button type="button" onClick={() => abort.current?.abort()}>
                  Stop
                </button>
              )}
            </div>
          </form>
        </div>
        {source && (
          <SourcePanel
            key={`${source.documentId}-${source.chunkId}-${source.n ?? ''}`}
            collection={name}
            source={source}
            onClose={() => setSource(null)}
          />
        )}
      </div>
    </section>
  );
}

/** The stored conversation as question and answer pairs, with what each answer cited. */
function pairs(c: Conversation | undefined, titles: ReadonlyMap<string, string | null>) {
  const out: { question: string; answer: string; sources: Map<number, SourceRef> }[] = [];
  const turns = c?.turns ?? [];
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    const next = turns[i + 1];
    if (t.role !== 'user') continue;
    const answer = next?.role === 'assistant' ? next : undefined;
    out.push({
      question: t.content,
      answer: answer?.content ?? '',
      sources: new Map(
        (answer?.citations ?? []).map((s) => [s.n, { ...s, title: titles.get(s.documentId) }]),
      ),
    });
    if (answer) i++;
  }
  return out;
}
