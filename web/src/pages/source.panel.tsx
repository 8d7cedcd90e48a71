import { useEffect, useRef, useState } from 'preact/hooks';
import { seg } from '../api/api.client';
import type { DocumentDetail } from '../api/types';
import { useApi } from '../api/use-api';
import { Link } from '../router/link';
import { ErrorNote } from '../shared/error-note';
import { PdfPageView } from './pdf-page.view';
import { TextPassageView } from './text-passage.view';

/** What a citation points at; the rest (offsets, pages) is looked up in the document when absent. */
export interface SourceRef {
  n?: number;
  documentId: string;
  chunkId: number;
  title?: string | null;
  start?: number;
  end?: number;
  pageStart?: number | null;
}

/**
 * The cited source beside the answer: a PDF as its rendered page with the passage marked, any
 * other document as its text with the span marked, scrolled to the passage.
 */
export function SourcePanel(props: { collection: string; source: SourceRef; onClose: () => void }) {
  const { source } = props;
  const doc = useApi<DocumentDetail>(
    `/v1/collections/${seg(props.collection)}/documents/${seg(source.documentId)}`,
  );
  const [noOriginal, setNoOriginal] = useState<string>();
  const d = doc.data?.id === source.documentId ? doc.data : undefined;
  const chunk = d?.chunks.find((c) => c.id === source.chunkId);
  const start = source.start ?? chunk?.start ?? 0;
  const end = source.end ?? chunk?.end ?? 0;
  const page = source.pageStart ?? chunk?.pageStart ?? null;
  const title = source.title ?? d?.title ?? source.documentId;
  const passage = d ? d.text.slice(start, end) : null;
  const pdf = d?.contentType === 'application/pdf' && page !== null && !noOriginal;
  const label = `${source.n !== undefined ? `[${source.n}] ` : ''}${title}`;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from a citation: the focus goes to the source, and on a narrow screen (the source below
  // the answer) the page scrolls to it.
  useEffect(() => {
    const narrow = window.matchMedia('(max-width: 999px)').matches;
    heading.current?.focus({ preventScroll: !narrow });
    if (narrow) heading.current?.scrollIntoView({ block: 'start' });
  }, [source.documentId, source.chunkId]);

  return (
    <aside class="source-panel card" aria-labelledby="source-title">
      <div class="title-row">
        <h2 id="source-title" ref={heading} tabIndex={-1}>
          {label}
        </h2>
        <button type="button" class="quiet" onClick={props.onClose} aria-label="Close the source">
          Close
        </button>
      </div>
      <p class="why">
        {page !== null ? `page ${page}` : ''}
        {chunk?.sectionPath ? ` · ${chunk.sectionPath}` : ''}
        {d ? ` · characters ${start}–${end}` : ''}{' '}
        <Link
          href={`/collections/${seg(props.collection)}/documents/${seg(source.documentId)}?chunk=${source.chunkId}`}
        >
          Open the document
        </Link>
      </p>
      <ErrorNote error={doc.error} what="The source cannot be opened" />
      {noOriginal && <p class="why">{noOriginal} The text is shown instead.</p>}
      {d && pdf && (
        <PdfPageView
          key={`${source.documentId}-${source.chunkId}`}
          collection={props.collection}
          documentId={source.documentId}
          title={title}
          page={page}
          passage={passage}
          onUnavailable={(e) => setNoOriginal(e.message)}
        />
      )}
      {d && !pdf && (
        <TextPassageView text={d.text} start={start} end={end} label={`Text of ${title}`} />
      )}
    </aside>
  );
}
