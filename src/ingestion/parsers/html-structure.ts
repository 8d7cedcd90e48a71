import type { Cheerio, CheerioAPI } from 'cheerio';
import { StructureBuilder, collapseSpaces } from './structure-builder';

type DomNode = ReturnType<ReturnType<CheerioAPI['root']>['contents']>[number];

/** The node's kind as plain text ('text', 'tag', 'comment', ...). */
const kindOf = (n: DomNode): string => n.type;

/** Elements whose content is never document text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'svg',
  'canvas',
  'object',
  'embed',
  'head',
  'button',
  'select',
  'textarea',
  'input',
]);

/** Elements that end the paragraph before them and start a new one. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'section',
  'summary',
  'ul',
  'caption',
]);

/**
 * Turns an HTML tree into blocks: h1-h6 become headings (sections by level), block elements
 * paragraphs, <br> a line break, <pre> a paragraph kept as written, a table a paragraph per row
 * (its cells joined by " | ") recorded as a table whose first row is the header. Scripts, styles and form controls are left out.
 */
export function htmlToStructure(nodes: Cheerio<DomNode>, builder: StructureBuilder): void {
  const walker = new HtmlWalker(builder);
  for (const node of nodes.toArray()) walker.walk(node);
  walker.flush();
}

class HtmlWalker {
  private inline = '';

  constructor(private readonly builder: StructureBuilder) {}

  walk(node: DomNode): void {
    if (kindOf(node) === 'text' && 'data' in node) {
      this.inline += node.data.replace(/\s+/g, ' ');
      return;
    }
    if (!('attribs' in node)) return;
    const tag = node.name.toLowerCase();
    if (SKIPPED.has(tag)) return;
    const level = tag.match(/^h([1-6])$/)?.[1];
    if (level) {
      this.flush();
      this.builder.heading(Number(level), textOf(node));
      return;
    }
    switch (tag) {
      case 'br':
        this.inline += '\n';
        return;
      case 'pre':
        this.flush();
        this.builder.paragraph(rawTextOf(node));
        return;
      case 'table':
        this.flush();
        this.table(node);
        return;
      case 'img': {
        const alt = node.attribs.alt?.trim();
        if (alt) this.inline += ` ${alt} `;
        return;
      }
    }
    const block = BLOCKS.has(tag);
    if (block) this.flush();
    for (const child of node.children) this.walk(child);
    if (block) this.flush();
  }

  flush(): void {
    const lines = this.inline.split('\n').map((l) => l.replace(/[ \t\f\v\r\u00a0]+/g, ' ').trim());
    this.builder.paragraph(lines.filter(Boolean).join('\n'));
    this.inline = '';
  }

  /** One paragraph per row, the first row its header; nested tables are read as the text of their cell. */
  private table(table: DomNode): void {
    const rows = descendants(
      table,
      (n) => tagName(n) === 'tr',
      (n) => tagName(n) === 'table' && n !== table,
    ).map((row) =>
      childElements(row)
        .filter((c) => ['td', 'th'].includes(tagName(c)))
        .map(textOf),
    );
    this.builder.table(rows);
  }
}

const tagName = (n: DomNode): string => ('attribs' in n ? n.name.toLowerCase() : '');

const childElements = (n: DomNode): DomNode[] =>
  'children' in n ? n.children.filter((c) => tagName(c) !== '') : [];

/** Descendants that match, in document order, not looking inside those that `stop` says to skip. */
function descendants(
  n: DomNode,
  match: (n: DomNode) => boolean,
  stop: (n: DomNode) => boolean,
): DomNode[] {
  const out: DomNode[] = [];
  for (const c of childElements(n)) {
    if (stop(c)) continue;
    if (match(c)) out.push(c);
    else out.push(...descendants(c, match, stop));
  }
  return out;
}

function rawTextOf(n: DomNode): string {
  if (kindOf(n) === 'text' && 'data' in n) return n.data;
  if (SKIPPED.has(tagName(n))) return '';
  if (tagName(n) === 'br') return '\n';
  const inner = 'children' in n ? n.children.map(rawTextOf).join('') : '';
  return BLOCKS.has(tagName(n)) ? `\n${inner}\n` : inner;
}

/** The text of an element on one line. */
export function textOf(n: DomNode): string {
  return collapseSpaces(rawTextOf(n));
}
