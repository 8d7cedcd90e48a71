import type { DocumentStructure, PageSpan, Section, TableSpan } from './structured-document';

/** A heading found in a text: its line's span, its level (1 = outermost) and its plain title. */
export interface HeadingMark {
  start: number;
  end: number;
  level: number;
  title: string;
}

/**
 * Sections from headings in text order: each runs from its heading to the next heading of any
 * level, under the path of the open headings above it (a heading closes those of its level and
 * deeper). Text before the first heading is in no section.
 */
export function sectionsFromHeadings(
  headings: readonly HeadingMark[],
  textLength: number,
): Section[] {
  const open: HeadingMark[] = [];
  return headings.map((h, i) => {
    while (open.length > 0 && open.at(-1)!.level >= h.level) open.pop();
    open.push(h);
    return {
      start: h.start,
      end: headings[i + 1]?.start ?? textLength,
      bodyStart: h.end,
      path: open.map((o) => o.title),
    };
  });
}

const SEPARATOR = '\n\n';

/**
 * Builds a document text block by block (headings, paragraphs, page breaks), separated by blank
 * lines, recording the offsets of sections and pages as it goes. Parsers that rewrite their input
 * (HTML, DOCX, PDF, CSV, JSON) use it; those whose text is the file itself (plain text, Markdown)
 * locate structure in place.
 */
export class StructureBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly headings: HeadingMark[] = [];
  private readonly pages: PageSpan[] = [];
  private readonly tables: TableSpan[] = [];
  private pageOpen = false;

  /** Appends a heading line; it opens a section at its level. Blank headings are ignored. */
  heading(level: number, title: string): void {
    const text = collapseSpaces(title);
    if (!text) return;
    const start = this.append(text);
    this.headings.push({ start, end: start + text.length, level, title: text });
  }

  /** Appends a paragraph (its inner line breaks kept); blank paragraphs are ignored. */
  paragraph(text: string): void {
    const trimmed = text.replace(/^\s*\n/, '').trimEnd();
    if (trimmed.trim()) this.append(trimmed);
  }

  /**
   * Appends a table, a paragraph per row (its non-blank cells joined by " | "); the first row is
   * its header. A table of two rows or more is recorded, so chunks of it can repeat the header.
   */
  table(rows: readonly (readonly string[])[]): void {
    let table: TableSpan | undefined;
    for (const row of rows) {
      const text = row.map(collapseSpaces).filter(Boolean).join(' | ');
      if (!text) continue;
      const start = this.append(text);
      if (table) table.end = start + text.length;
      else table = { start, end: start + text.length, headerEnd: start + text.length };
    }
    if (table && table.end > table.headerEnd) this.tables.push(table);
  }

  /** Starts page n: what follows, up to the next call, is on it. OCR'd pages carry their confidence. */
  page(n: number, ocrConfidence?: number): void {
    this.closePage();
    this.pages.push({
      page: n,
      start: -1,
      end: -1,
      ...(ocrConfidence !== undefined ? { ocrConfidence } : {}),
    });
    this.pageOpen = true;
  }

  get isEmpty(): boolean {
    return this.length === 0;
  }

  build(): DocumentStructure & { text: string } {
    this.closePage();
    const text = this.parts.join('');
    return {
      text,
      sections: sectionsFromHeadings(this.headings, text.length),
      pages: this.pages,
      ...(this.tables.length > 0 ? { tables: this.tables } : {}),
    };
  }

  private append(block: string): number {
    if (this.length > 0) {
      this.parts.push(SEPARATOR);
      this.length += SEPARATOR.length;
    }
    const start = this.length;
    this.parts.push(block);
    this.length += block.length;
    const page = this.pages.at(-1);
    if (this.pageOpen && page && page.start < 0) page.start = start;
    return start;
  }

  private closePage(): void {
    const page = this.pages.at(-1);
    if (!this.pageOpen || !page) return;
    // A page with no text is an empty span where the next page starts.
    if (page.start < 0) page.start = this.length;
    page.end = this.length;
    this.pageOpen = false;
  }
}

/** One line: runs of white space (line breaks included) become one space. */
export function collapseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
