import { TextFormatParser, decodeUtf8, sniffText } from './document-parser';
import { HeadingMark, sectionsFromHeadings } from './structure-builder';
import { FORMATS } from './formats';

/**
 * Markdown, stored as written (offsets point into the file); ATX (`## Title`) and setext
 * (underlined) headings open sections. Headings inside fenced code and front matter are not
 * headings; a front-matter `title:` is the document title, else the first level-1 heading.
 */
export const markdownParser: TextFormatParser = {
  ...FORMATS.markdown,
  sniff: (data) => sniffText(data),
  parse: (data) => {
    const text = decodeUtf8(data);
    const { headings, frontMatterTitle } = scanMarkdown(text);
    const title = frontMatterTitle ?? headings.find((h) => h.level === 1)?.title;
    return {
      text,
      ...(title ? { title } : {}),
      contentType: FORMATS.markdown.contentType,
      metadata: {},
      sections: sectionsFromHeadings(headings, text.length),
      pages: [],
    };
  },
};

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

interface Line {
  start: number;
  end: number;
  text: string;
}

export function scanMarkdown(text: string): { headings: HeadingMark[]; frontMatterTitle?: string } {
  const lines: Line[] = [];
  for (const m of text.matchAll(/[^\n]*(?:\n|$)/g)) {
    if (m[0] === '' && m.index === text.length) break;
    const body = m[0].replace(/\r?\n$/, '');
    lines.push({ start: m.index, end: m.index + body.length, text: body });
  }
  let i = 0;
  let frontMatterTitle: string | undefined;
  if (lines[0]?.text === '---') {
    const close = lines.findIndex((l, k) => k > 0 && (l.text === '---' || l.text === '...'));
    if (close > 0) {
      const title = lines
        .slice(1, close)
        .map((l) => l.text.match(/^title:\s*(.+?)\s*$/)?.[1])
        .find(Boolean);
      if (title) frontMatterTitle = title.replace(/^(["'])(.*)\1$/, '$2');
      i = close + 1;
    }
  }
  const headings: HeadingMark[] = [];
  let fence: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const f = line.text.match(FENCE)?.[1];
    if (fence) {
      if (f && f[0] === fence[0] && f.length >= fence.length && line.text.trim() === f)
        fence = undefined;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    const atx = line.text.match(ATX);
    if (atx) {
      const title = plainHeading(atx[2] ?? '');
      if (title) headings.push({ start: line.start, end: line.end, level: atx[1]!.length, title });
      continue;
    }
    // Setext: a one-line paragraph underlined with = (level 1) or - (level 2).
    const under = line.text.match(SETEXT)?.[1];
    const prev = lines[i - 1];
    const beforePrev = lines[i - 2];
    if (
      under &&
      prev &&
      prev.text.trim() &&
      (!beforePrev || !beforePrev.text.trim()) &&
      !headings.some((h) => h.start === prev.start)
    ) {
      const title = plainHeading(prev.text);
      if (title && !/^ {0,3}([-*+]|\d+[.)])\s/.test(prev.text) && !prev.text.startsWith('    ')) {
        headings.push({ start: prev.start, end: line.end, level: under[0] === '=' ? 1 : 2, title });
      }
    }
  }
  return { headings, ...(frontMatterTitle ? { frontMatterTitle } : {}) };
}

/** A heading's words without Markdown: links and images keep their text, emphasis and code marks go. */
function plainHeading(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*\*|__|\*|_|`+)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}
