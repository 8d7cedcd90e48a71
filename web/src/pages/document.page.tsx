import { useState } from 'preact/hooks';
import { seg } from '../api/api.client';
import type { DocumentDetail } from '../api/types';
import { useApi } from '../api/use-api';
import { Link } from '../router/link';
import { ErrorNote } from '../shared/error-note';
import { when } from '../shared/format';
import { CollectionTabs } from './collection-tabs';
import { PdfPageView } from './pdf-page.view';
import { TextPassageView } from './text-passage.view';

/** One document: what it is, its chunks, and its text (or a PDF's pages), a chunk marked. */
export function DocumentPage(props: { name: string; id: string; chunkId: number | null }) {
  const doc = useApi<DocumentDetail>(
    `/v1/collections/${seg(props.name)}/documents/${seg(props.id)}`,
  );
  const [chunkId, setChunkId] = useState(props.chunkId);
  const [textOnly, setTextOnly] = useState(false);
  const d = doc.data;
  const chunk =
    d?.chunks.find((c) => c.id === chunkId) ?? (chunkId === null ? undefined : d?.chunks[0]);
  const isPdf = d?.contentType === 'application/pdf';

  return (
    <section aria-labelledby="document-title">
      <CollectionTabs name={props.name} current="documents" />
      <h1 id="document-title">{d?.title ?? props.id}</h1>
      <ErrorNote error={doc.error} what="The document cannot be opened" />
      {d && (
        <>
          <dl class="facts">
            <div>
              <dt>Id</dt>
              <dd>
                <code>{d.id}</code>
              </dd>
            </div>
            <div>
              <dt>Type</dt>
              <dd>{d.contentType}</dd>
            </div>
            <div>
              <dt>Source</dt>
              <dd>{d.source ?? '–'}</dd>
            </div>
            <div>
              <dt>Added</dt>
              <dd>{when(d.createdAt)}</dd>
            </div>
            <div>
              <dt>Chunks</dt>
              <dd>
                {d.chunks.length} ({d.chunks.filter((c) => c.embedded).length} embedded)
              </dd>
            </div>
            {Object.keys(d.metadata).length > 0 && (
              <div>
                <dt>Metadata</dt>
                <dd>
                  <code class="metadata">{JSON.stringify(d.metadata)}</code>
                </dd>
              </div>
            )}
          </dl>
          <div class="document-layout">
            <nav class="chunk-list card" aria-label="Chunks">
              <h2>Chunks</h2>
              <ol>
                {d.chunks.map((c) => (
                  <li key={c.id} value={c.ordinal + 1}>
                    <Link
                      href={`?chunk=${c.id}`}
                      aria-current={c.id === chunk?.id ? 'true' : undefined}
                      onClick={() => setChunkId(c.id)}
                    >
                      {c.sectionPath ?? `Chunk ${c.ordinal + 1}`}
                      {c.pageStart !== null ? ` · p. ${c.pageStart}` : ''}
                    </Link>
                    {!c.embedded && <span class="badge warn"> no vector yet</span>}
                  </li>
                ))}
              </ol>
            </nav>
            <div class="document-body">
              {isPdf && !textOnly ? (
                <PdfPageView
                  key={chunk?.id ?? 'first'}
                  collection={props.name}
                  documentId={d.id}
                  title={d.title ?? d.id}
                  page={chunk?.pageStart ?? 1}
                  passage={chunk ? d.text.slice(chunk.start, chunk.end) : null}
                  onUnavailable={() => setTextOnly(true)}
                />
              ) : (
                <TextPassageView
                  text={d.text}
                  start={chunk?.start ?? 0}
                  end={chunk?.end ?? 0}
                  label={`Text of ${d.title ?? d.id}`}
                />
              )}
              {isPdf && (
                <button type="button" class="quiet" onClick={() => setTextOnly((t) => !t)}>
                  {textOnly ? 'Show the PDF page' : 'Show the extracted text'}
                </button>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
