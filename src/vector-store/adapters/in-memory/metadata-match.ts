import { compileFilter } from '../../metadata-filter';

/** A JSON value as SQLite's json_extract returns it: NULL, a number (booleans as 1/0) or text. */
type SqlValue = number | string | null;

const RANGE: Record<string, (a: number | string, b: number | string) => boolean> = {
  $gt: (a, b) => a > b,
  $gte: (a, b) => a >= b,
  $lt: (a, b) => a < b,
  $lte: (a, b) => a <= b,
};

/**
 * A metadata filter (metadata-filter.ts) evaluated on a document's metadata in JavaScript, with the
 * meaning its SQL has over json_extract: a missing key or null is NULL (never equal, always "not
 * equal"), booleans are 1 and 0, ranges compare numbers with numbers and ISO dates as text. Checked
 * by the same validation as the SQL (an invalid filter throws InvalidInputError).
 */
export function metadataMatcher(
  filter: unknown,
): (metadata: Readonly<Record<string, unknown>>) => boolean {
  compileFilter(filter); // validates
  return (metadata) => matches(filter as Record<string, unknown>, metadata);
}

function matches(
  filter: Record<string, unknown>,
  metadata: Readonly<Record<string, unknown>>,
): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and')
      return (condition as Record<string, unknown>[]).every((f) => matches(f, metadata));
    if (key === '$or')
      return (condition as Record<string, unknown>[]).some((f) => matches(f, metadata));
    const value = sqlValue(Object.hasOwn(metadata, key) ? metadata[key] : undefined);
    if (typeof condition !== 'object' || condition === null)
      return equal(value, sqlValue(condition));
    return Object.entries(condition).every(([op, operand]) => {
      switch (op) {
        case '$eq':
          return equal(value, sqlValue(operand));
        case '$ne':
          return value === null || !equal(value, sqlValue(operand));
        case '$in':
          return (operand as unknown[]).some((o) => equal(value, sqlValue(o)));
        case '$nin':
          return value === null || !(operand as unknown[]).some((o) => equal(value, sqlValue(o)));
        default: {
          const bound = operand as number | string;
          return typeof value === typeof bound && value !== null && RANGE[op]!(value, bound);
        }
      }
    });
  });
}

function sqlValue(v: unknown): SqlValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return JSON.stringify(v); // objects and arrays come out of json_extract as their JSON text
}

/** SQL `=`: NULL equals nothing; a number never equals text. */
function equal(a: SqlValue, b: SqlValue): boolean {
  return a !== null && b !== null && typeof a === typeof b && a === b;
}
