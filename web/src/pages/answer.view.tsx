import type { ComponentChildren } from 'preact';
import type { AskResult, Citation } from '../api/types';
import { ms } from '../shared/format';
import type { SourceRef } from './source.panel';

/** "[1]", "[1, 3]" and "[1][2]" in an answer. */
const CITE = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

export function sourceLabel(c: {
  n?: number;
  title?: string | null;
  documentId: string;
  pageStart?: number | null;
}): string {
  return `${c.title ?? c.documentId}${c.pageStart ? `, page ${c.pageStart}` : ''}`;
}

/** The answer's text with each citation [n] a link that opens its source. */
export function AnswerText(props: {
  text: string;
  sources: ReadonlyMap<number, SourceRef>;
  onOpen: (source: SourceRef) => void;
}) {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const m of props.text.matchAll(CITE)) {
    parts.push(props.text.slice(last, m.index));
    const numbers = m[1]!.split(',').map((n) => Number(n.trim()));
    numbers.forEach((n, i) => {
      const source = props.sources.get(n);
      parts.push(
        source ? (
          <a
            key={`${m.index}-${n}`}
            class="cite"
            href={`#source-${n}`}
            aria-label={`[${n}] ${sourceLabel(source)}`}
            onClick={(e) => {
              e.preventDefault();
              props.onOpen(source);
            }}
          >
            [{n}]
          </a>
        ) : (
          <span key={`${m.index}-${n}`}>[{n}]</span>
        ),
      );
      if (i < numbers.length - 1) parts.push(' ');
    });
    last = m.index + m[0].length;
  }
  parts.push(props.text.slice(last));
  return <p class="answer-text">{parts}</p>;
}

/** How the answer was made: mode and model, why it is extractive or refused, grounding. */
export function AnswerFacts({ result }: { result: AskResult }) {
  const unsupported = result.grounding?.unsupported ?? [];
  return (
    <div class="answer-facts">
      <p>
        <span class="badge">{result.mode}</span>{' '}
        {result.model ? (
          <>
            by <code>{result.model}</code>
          </>
        ) : (
          'no model'
        )}
        {' · '}retrieval {result.retrieval.mode}, {result.retrieval.chunks} chunks
        {' · '}
        {ms(result.timings.totalMs)}
      </p>
      {result.modeReason && (
        <p class="why">
          {result.mode === 'extractive' ? 'Extractive: ' : ''}
          {result.modeReason}
        </p>
      )}
      {result.retrieval.modeReason && <p class="why">Retrieval: {result.retrieval.modeReason}</p>}
      {result.refused && (
        <p class="warning" role="note">
          Refused: nothing retrieved was relevant enough to answer from.
        </p>
      )}
      {!result.grounded && (
        <div class="warning" role="note">
          Not grounded:{' '}
          {unsupported.length > 0
            ? `${unsupported.length} ${unsupported.length === 1 ? 'sentence is' : 'sentences are'}`
            : 'the answer is'}{' '}
          not supported by the sources it cites
          {result.grounding ? ` (support ${Math.round(result.grounding.support * 100)}%)` : ''}.
          {unsupported.length > 0 && (
            <ul>
              {unsupported.map((s, i) => (
                <li key={i}>“{s}”</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {result.invalidCitations.length > 0 && (
        <p class="why">
          Citations with no source were removed:{' '}
          {result.invalidCitations.map((n) => `[${n}]`).join(' ')}
        </p>
      )}
    </div>
  );
}

/** The numbered sources of an answer, each a link to open it. */
export function SourceList(props: {
  citations: readonly Citation[];
  onOpen: (s: SourceRef) => void;
}) {
  if (props.citations.length === 0) return null;
  return (
    <ol class="sources" aria-label="Sources">
      {props.citations.map((c) => (
        <li key={c.n} value={c.n} id={`source-${c.n}`}>
          <a
            href={`#source-${c.n}`}
            aria-label={`[${c.n}] ${sourceLabel(c)}`}
            onClick={(e) => {
              e.preventDefault();
              props.onOpen(c);
            }}
          >
            {sourceLabel(c)}
          </a>
          {c.sectionPath && <span class="why"> · {c.sectionPath}</span>}
          <div class="why snippet">
            {c.text.slice(0, 240)}
            {c.text.length > 240 ? '…' : ''}
          </div>
        </li>
      ))}
    </ol>
  );
}
