import type { PDFDocumentProxy } from 'pdfjs-dist';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request, seg } from '../api/api.client';
import { asError } from '../api/use-api';
import { ErrorNote } from '../shared/error-note';
import type { Mark } from './pdf.renderer';

type Renderer = typeof import('./pdf.renderer');
let renderer: Promise<Renderer> | undefined;
const loadRenderer = () => (renderer ??= import('./pdf.renderer'));

/**
 * A page of a PDF as it looks (pdf.js on the original file, GET .../documents/{id}/file), with the
 * cited passage marked and scrolled into view; previous and next page.
 */
export function PdfPageView(props: {
  collection: string;
  documentId: string;
  title: string;
  page: number;
  passage: string | null;
  /** The original is not kept (added as text, or KEEP_ORIGINALS off): show the text instead. */
  onUnavailable?: (error: ApiError) => void;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<PDFDocumentProxy>();
  const [page, setPage] = useState(props.page);
  const [marks, setMarks] = useState<Mark[]>([]);
  const [rendered, setRendered] = useState<number>();
  const [error, setError] = useState<Error>();
  /** The frame's width, in steps of 16 px: the page is drawn again when it changes (a phone turned). */
  const [width, setWidth] = useState(0);
  /** Renders one after another: pdf.js refuses two at once on one canvas. */
  const chainRef = useRef<Promise<unknown>>(Promise.resolve());
  const onUnavailableRef = useRef(props.onUnavailable);
  useEffect(() => {
    onUnavailableRef.current = props.onUnavailable;
  });

  useEffect(() => setPage(props.page), [props.page, props.passage]);

  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const measure = () => setWidth(Math.floor(el.clientWidth / 16) * 16);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    let live = true;
    setDoc(undefined);
    setError(undefined);
    const url = `/v1/collections/${seg(props.collection)}/documents/${seg(props.documentId)}/file`;
    loadRenderer()
      .then((r) =>
        r.openPdf(`${props.collection}\u0000${props.documentId}`, async () =>
          (await request(url, { accept: 'application/pdf' })).arrayBuffer(),
        ),
      )
      .then(
        (d) => live && setDoc(d),
        (e: unknown) => {
          if (!live) return;
          if (e instanceof ApiError && e.status === 404) onUnavailableRef.current?.(e);
          setError(asError(e));
        },
      );
    return () => {
      live = false;
    };
  }, [props.collection, props.documentId]);

  useEffect(() => {
    const target = canvas.current;
    if (!doc || !target || width === 0) return;
    let live = true;
    const passage = page === props.page ? props.passage : null;
    const drawn = chainRef.current.then(async () => {
      if (!live) return undefined;
      const r = await loadRenderer();
      return r.renderPage(doc, page, target, Math.min(900, Math.max(240, width - 2)), passage);
    });
    chainRef.current = drawn.catch(() => undefined);
    drawn.then(
      (out) => {
        if (!live || !out) return;
        setMarks(out.marks);
        setRendered(page);
      },
      (e: unknown) => live && setError(asError(e)),
    );
    return () => {
      live = false;
    };
  }, [doc, page, width, props.page, props.passage]);

  useEffect(() => {
    if (rendered === undefined) return;
    frame.current
      ?.querySelector('.pdf-mark')
      ?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [rendered, marks]);

  const pages = doc?.numPages;
  const caption =
    rendered === undefined
      ? `Rendering page ${page}…`
      : `Page ${page} of ${pages ?? '?'} of ${props.title}${
          page === props.page && props.passage
            ? marks.length > 0
              ? ', the cited passage highlighted'
              : ', the passage could not be placed on the page'
            : ''
        }`;

  return (
    <figure class="pdf-view">
      <div class="pdf-toolbar">
        <button type="button" disabled={!doc || page <= 1} onClick={() => setPage((p) => p - 1)}>
          Previous page
        </button>
        <span role="status" class="why">
          {pages ? `Page ${page} of ${pages}` : 'Loading the PDF…'}
        </span>
        <button
          type="button"
          disabled={!doc || page >= (pages ?? 1)}
          onClick={() => setPage((p) => p + 1)}
        >
          Next page
        </button>
      </div>
      <ErrorNote error={error} what="The PDF cannot be shown" />
      <div class="pdf-frame" ref={frame}>
        <div class="pdf-page" data-page={rendered}>
          <canvas ref={canvas} aria-hidden="true" />
          {rendered !== undefined &&
            marks.map((m, i) => (
              <mark
                key={i}
                class="pdf-mark"
                aria-hidden="true"
                style={{
                  left: `${m.left}px`,
                  top: `${m.top}px`,
                  width: `${m.width}px`,
                  height: `${m.height}px`,
                }}
              />
            ))}
        </div>
      </div>
      <figcaption class="why">{caption}</figcaption>
    </figure>
  );
}
