import { InvalidInputError } from '../common/errors';

/**
 * Metadata filters over the top-level keys of a document's metadata:
 *   { key: value }                              equality (string, number, boolean)
 *   { key: { $eq | $ne: value } }
 *   { key: { $in | $nin: [value, ...] } }
 *   { key: { $gt | $gte | $lt | $lte: number | ISO date string } }
 *   { $and: [filter, ...] }, { $or: [filter, ...] }
 * Several keys in one object must all match. Compiled to SQL over json_extract, with every value
 * bound as a parameter.
 */
export type Scalar = string | number | boolean;
export type MetadataFilter = { [key: string]: Scalar | Record<string, unknown> | MetadataFilter[] };

export interface CompiledFilter {
  sql: string;
  params: Record<string, string | number>;
}

const COMPARE: Record<string, string> = {
  $eq: '=',
  $ne: '!=',
  $gt: '>',
  $gte: '>=',
  $lt: '<',
  $lte: '<=',
};
/**
 * Bounds checked before any SQL is built, so a filter costs little whatever its shape: SQLite
 * refuses expressions deeper than 1,000 nodes, and every condition is a json_extract per row.
 */
export const FILTER_LIMITS = {
  /** Nesting of $and / $or. */
  depth: 8,
  /** Conditions (key comparisons) and $and / $or nodes, in all. */
  nodes: 200,
  /** Values bound as parameters, $in and $nin lists included. */
  values: 1000,
  /** Filters in one $and / $or list, and keys or operators in one object. */
  width: 64,
} as const;
const KEY = /^[A-Za-z0-9_.-]{1,128}$/;

export function compileFilter(filter: unknown, alias = 'd'): CompiledFilter {
  const params: Record<string, string | number> = {};
  let n = 0;
  let values = 0;
  let nodes = 0;
  const count = (path: string) => {
    if (++nodes > FILTER_LIMITS.nodes)
      throw bad(path, `has more than ${FILTER_LIMITS.nodes} conditions in all`);
  };
  const bind = (v: Scalar, path = '', counted = true): string => {
    if (counted && ++values > FILTER_LIMITS.values)
      throw bad(path, `binds more than ${FILTER_LIMITS.values} values in all`);
    const name = `f${n++}`;
    params[name] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    return `@${name}`;
  };
  const field = (key: string) =>
    `json_extract(${alias}.metadata, ${bind(`$."${key}"`, key, false)})`;

  const node = (f: unknown, path: string, depth: number): string => {
    if (depth > FILTER_LIMITS.depth)
      throw bad(path, `nests deeper than ${FILTER_LIMITS.depth} levels`);
    if (!isPlainObject(f)) throw bad(path, 'must be an object');
    const entries = Object.entries(f);
    if (entries.length > FILTER_LIMITS.width)
      throw bad(path || 'filter', `has more than ${FILTER_LIMITS.width} keys`);
    const parts = entries.map(([key, value]) => {
      const at = path ? `${path}.${key}` : key;
      count(at);
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0)
          throw bad(at, 'must be a non-empty array of filters');
        if (value.length > FILTER_LIMITS.width)
          throw bad(at, `has more than ${FILTER_LIMITS.width} filters`);
        const subs = value.map((v, i) => node(v, `${at}[${i}]`, depth + 1));
        return `(${subs.join(key === '$and' ? ' AND ' : ' OR ')})`;
      }
      if (key.startsWith('$'))
        throw bad(
          at,
          'is not a known operator ($and, $or at the top; $eq $ne $in $nin $gt $gte $lt $lte on a key)',
        );
      if (!KEY.test(key))
        throw bad(at, 'is not a valid metadata key (letters, digits, _ . -; at most 128)');
      if (isScalar(value)) return `${field(key)} = ${bind(value, at)}`;
      if (!isPlainObject(value))
        throw bad(at, 'must be a string, number, boolean or an operator object');
      const ops = Object.entries(value);
      if (ops.length === 0) throw bad(at, 'has no operator');
      if (ops.length > FILTER_LIMITS.width)
        throw bad(at, `has more than ${FILTER_LIMITS.width} operators`);
      return ops
        .map(([op, operand]) => {
          const where = `${at}.${op}`;
          if (op === '$in' || op === '$nin') {
            if (
              !Array.isArray(operand) ||
              operand.length === 0 ||
              operand.length > FILTER_LIMITS.values ||
              !operand.every(isScalar)
            ) {
              throw bad(
                where,
                `must be a non-empty array of at most ${FILTER_LIMITS.values} strings, numbers or booleans`,
              );
            }
            const list = operand.map((v) => bind(v, where)).join(', ');
            return op === '$in'
              ? `${field(key)} IN (${list})`
              : `(${field(key)} IS NULL OR ${field(key)} NOT IN (${list}))`;
          }
          const sqlOp = COMPARE[op];
          if (!sqlOp)
            throw bad(where, 'is not a known operator ($eq $ne $in $nin $gt $gte $lt $lte)');
          if (op === '$eq' || op === '$ne') {
            if (!isScalar(operand)) throw bad(where, 'must be a string, number or boolean');
            return op === '$ne'
              ? `(${field(key)} IS NULL OR ${field(key)} != ${bind(operand)})`
              : `${field(key)} = ${bind(operand)}`;
          }
          // Ranges: numbers compare as numbers, ISO 8601 dates as text (their order is the time order).
          if (typeof operand === 'number' && Number.isFinite(operand)) {
            return `(typeof(${field(key)}) IN ('integer', 'real') AND ${field(key)} ${sqlOp} ${bind(operand)})`;
          }
          if (typeof operand === 'string' && ISO_DATE.test(operand)) {
            return `(typeof(${field(key)}) = 'text' AND ${field(key)} ${sqlOp} ${bind(operand)})`;
          }
          throw bad(
            where,
            'must be a number or an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss...)',
          );
        })
        .join(' AND ');
    });
    if (parts.length === 0) throw bad(path || 'filter', 'is empty');
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  };

  return { sql: node(filter, '', 0), params };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return (
    typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
  );
}

function bad(path: string, message: string): InvalidInputError {
  return new InvalidInputError(`filter ${path ? `'${path}' ` : ''}${message}`, { path });
}
