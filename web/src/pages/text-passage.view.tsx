import { useEffect, useRef } from 'preact/hooks';

/** Characters shown around the passage (a long document is not rendered whole). */
const AROUND = 6000;

/** A document's text with the span [start, end) marked and scrolled into view (none when empty). */
export function TextPassageView(props: {
  text: string;
  start: number;
  end: number;
  label: string;
}) {
  const mark = useRef<HTMLElement>(null);
  const { text } = props;
  const start = Math.max(0, Math.min(props.start, text.length));
  const end = Math.max(start, Math.min(props.end, text.length));
  const from = Math.max(0, start - AROUND);
  const to = Math.min(text.length, end + (end > start ? AROUND : 4 * AROUND));
  useEffect(() => {
    mark.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [start, end, text]);
  return (
    <div class="doc-text" tabindex={0} role="region" aria-label={props.label}>
      {from > 0 ? '… ' : ''}
      {text.slice(from, start)}
      {end > start && (
        <mark ref={mark} class="passage">
          {text.slice(start, end)}
        </mark>
      )}
      {text.slice(end, to)}
      {to < text.length ? ' …' : ''}
    </div>
  );
}
