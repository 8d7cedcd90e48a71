import type { getDocumentProxy } from 'unpdf';
import { collapseSpaces } from './structure-builder';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** A widget of an AcroForm field as pdf.js's getFieldObjects() describes it. */
export interface FieldWidget {
  name: string;
  type: string;
  value?: unknown;
  exportValues?: unknown;
  /** 0-based page index; -1 for a field's parent (no widget). */
  page: number;
  /** [x1, y1, x2, y2] in PDF user space. */
  rect?: number[];
  hidden?: boolean;
}

/**
 * The filled-in values of a PDF form, as `Name: value` lines per page (1-based), in the order
 * their widgets stand on the page (top to bottom, then left to right). Text fields, ticked check
 * boxes, the chosen radio button and list or combo choices; empty fields, push buttons and
 * signatures say nothing, so a blank form gives no lines.
 */
export async function formLines(pdf: PdfDocument): Promise<Map<number, string[]>> {
  const fields = (await pdf.getFieldObjects()) as Record<string, FieldWidget[]> | null;
  return fields ? linesOfFields(Object.values(fields).flat()) : new Map();
}

/** The lines of these widgets by page (see formLines). */
export function linesOfFields(widgets: readonly FieldWidget[]): Map<number, string[]> {
  const placed = widgets
    .filter((w) => w.page >= 0 && !w.hidden)
    .map((w) => ({ w, value: valueOf(w) }))
    .filter((x): x is { w: FieldWidget; value: string } => x.value !== undefined)
    .sort(
      (a, b) =>
        a.w.page - b.w.page || top(b.w) - top(a.w) || (a.w.rect?.[0] ?? 0) - (b.w.rect?.[0] ?? 0),
    );
  const out = new Map<number, string[]>();
  const seen = new Set<string>();
  for (const { w, value } of placed) {
    const key = `${w.page}\u0000${w.name}`;
    if (seen.has(key)) continue; // one field, several widgets on the page
    seen.add(key);
    const page = w.page + 1;
    const lines = out.get(page) ?? [];
    lines.push(`${fieldLabel(w.name)}: ${value}`);
    out.set(page, lines);
  }
  return out;
}

/** What the widget holds, on one line; undefined when it holds nothing worth saying. */
function valueOf(w: FieldWidget): string | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? collapseSpaces(v) : '');
  switch (w.type) {
    case 'text':
    case 'combobox':
    case 'listbox': {
      const v = Array.isArray(w.value)
        ? w.value.map(text).filter(Boolean).join(', ')
        : text(w.value);
      return v || undefined;
    }
    case 'checkbox': {
      const v = text(w.value);
      return v && v !== 'Off' ? v : undefined;
    }
    case 'radiobutton': {
      // Each button of the group carries the group's value; the chosen one exports it.
      const v = text(w.value);
      return v && v !== 'Off' && v === text(w.exportValues) ? v : undefined;
    }
    default:
      return undefined;
  }
}

const top = (w: FieldWidget) => Math.max(w.rect?.[1] ?? 0, w.rect?.[3] ?? 0);

/** A field's full name without the XFA-style indices: "form1[0].claim[0].date[0]" -> "form1.claim.date". */
const fieldLabel = (name: string) => name.replace(/\[\d+\]/g, '');
