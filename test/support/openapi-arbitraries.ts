/**
 * fast-check arbitraries for requests made from an OpenAPI document: for every operation, its
 * path parameters, query, headers and body drawn from the declared schemas, then mutated (wrong
 * types, values past bounds, fields dropped or added, huge or odd strings, nesting), so a fuzz
 * test covers each route's real shape and the shapes around it.
 */
import fc from 'fast-check';

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  additionalProperties?: boolean | Schema;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface FuzzRequest {
  method: string;
  /** The route as documented, e.g. /v1/collections/{name}. */
  route: string;
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON (an object or any value), as raw text, or as multipart fields and a file. */
  body?:
    | { kind: 'json'; value: unknown }
    | { kind: 'raw'; text: string; contentType: string }
    | { kind: 'multipart'; fields: Record<string, string>; file?: { name: string; data: string } };
}

/** Strings that have broken parsers before: encodings, separators, huge, control and path bytes. */
const ODD_STRINGS = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '%',
  '%ZZ',
  '%00',
  '\u0000',
  '\uD800',
  '\u202E',
  '💥',
  'a'.repeat(5000),
  '1e300',
  '-1',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '$or',
  '__proto__',
  'constructor',
  '<script>',
  "'; DROP TABLE documents; --",
  '*',
  'tiny/embed',
];

const oddString = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const oddNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e300, -1e300, 0.5, Number.MAX_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  oddString,
  oddNumber,
  fc.constant(null),
);

/** Percent-encoded; a lone surrogate (not encodable) becomes U+FFFD, raw bad escapes come from ODD_QUERIES. */
const enc = (s: string) =>
  encodeURIComponent(
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

export class OpenApiArbitraries {
  constructor(
    private readonly doc: OpenApiDocument,
    /** Values that exist on the server (a collection name, a document id), tried often. */
    private readonly known: Record<string, string[]> = {},
  ) {}

  /** Every operation as [method, route, its request arbitrary]. */
  operations(): [string, string, fc.Arbitrary<FuzzRequest>][] {
    const out: [string, string, fc.Arbitrary<FuzzRequest>][] = [];
    for (const [route, ops] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(ops))
        out.push([method.toUpperCase(), route, this.request(method.toUpperCase(), route, op)]);
    }
    return out;
  }

  private request(method: string, route: string, op: Operation): fc.Arbitrary<FuzzRequest> {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const pathValues = fc.tuple(...pathParams.map((p) => this.pathValue(p.name)));
    const query = this.query(params.filter((p) => p.in === 'query'));
    const headers = this.headers(params.filter((p) => p.in === 'header'));
    const body = op.requestBody?.content
      ? this.body(op.requestBody.content)
      : fc.constant(undefined);
    return fc
      .record({ values: pathValues, query, headers, body })
      .map(({ values, query, headers, body }) => {
        let path = route;
        pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, enc(values[i]!))));
        return {
          method,
          route,
          path: query ? `${path}?${query}` : path,
          headers,
          ...(body ? { body } : {}),
        };
      });
  }

  private pathValue(name: string): fc.Arbitrary<string> {
    const known = this.known[name] ?? [];
    return known.length > 0
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...known) },
          { weight: 1, arbitrary: oddString },
        )
      : oddString;
  }

  private query(params: Parameter[]): fc.Arbitrary<string> {
    const declared = params.map((p) =>
      fc
        .option(
          fc.oneof(
            this.value(p.schema ?? {}, 0).map((v) => String(v)),
            oddString,
            oddNumber.map(String),
          ),
          { nil: undefined },
        )
        .map((v) => (v === undefined ? '' : `${enc(p.name)}=${enc(v)}`)),
    );
    const extra = fc.array(
      fc.tuple(oddString, oddString).map(([k, v]) => `${enc(k)}=${enc(v)}`),
      { maxLength: 2 },
    );
    const raw = fc.constantFrom(
      '',
      'limit=1&limit=2',
      'offset[]=1',
      'a[b][c]=1',
      '%',
      '=&=&',
      'limit=%ED%A0%80',
      'state=%FF',
    );
    return fc
      .tuple(fc.tuple(...declared), extra, raw)
      .map(([d, e, r]) => [...d, ...e, r].filter(Boolean).join('&'));
  }

  private headers(params: Parameter[]): fc.Arbitrary<Record<string, string>> {
    const printable = fc.string({
      unit: fc.constantFrom(...'abcXYZ019-_ :;,./=*"'.split('')),
      maxLength: 60,
    });
    return fc.record(
      {
        ...Object.fromEntries(
          params.map((p) => [p.name, fc.oneof(printable, fc.uuid(), fc.constant(''))]),
        ),
        accept: fc.constantFrom('application/json', 'text/event-stream', '*/*', 'text/html', 'x'),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
        'x-request-id': printable,
        range: fc.constantFrom('bytes=0-1', 'bytes=-', 'x'),
      },
      { requiredKeys: [] },
    );
  }

  private body(content: Record<string, { schema?: Schema }>): fc.Arbitrary<FuzzRequest['body']> {
    const json = content['application/json']?.schema;
    const choices: fc.Arbitrary<FuzzRequest['body']>[] = [];
    if (json) {
      choices.push(this.value(json, 0).map((value) => ({ kind: 'json' as const, value })));
      choices.push(this.mutated(json).map((value) => ({ kind: 'json' as const, value })));
    }
    choices.push(anyJson.map((value) => ({ kind: 'json' as const, value })));
    choices.push(
      fc
        .record({
          text: fc.oneof(oddString, fc.constantFrom('{"a":', '[[[[', '{"documents":[{"text":1}]}')),
          contentType: fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data',
            'multipart/form-data; boundary=x',
            'application/xml',
            'application/json; charset=utf-16',
          ),
        })
        .map((r) => ({ kind: 'raw' as const, ...r })),
    );
    if (content['multipart/form-data']) {
      choices.push(
        fc
          .record({
            fields: fc.dictionary(
              fc.constantFrom('id', 'title', 'metadata', 'wait', 'textFields', 'x', 'file'),
              fc.oneof(oddString, fc.constantFrom('{"a":1}', '["t"]', 'true')),
              { maxKeys: 3 },
            ),
            file: fc.option(
              fc.record({
                name: fc.constantFrom(
                  'a.txt',
                  'a.md',
                  'a.html',
                  'a.json',
                  'a.csv',
                  'a.pdf',
                  'a.docx',
                  'x',
                  '../a.txt',
                ),
                data: fc.oneof(
                  oddString,
                  fc.constantFrom(
                    '%PDF-1.4 junk',
                    'PK\u0003\u0004word/document.xml',
                    '<html><p>hi',
                    'a,b\n1,2',
                    '{"text":"x"}',
                  ),
                ),
              }),
              { nil: undefined },
            ),
          })
          .map(({ fields, file }) => ({
            kind: 'multipart' as const,
            fields,
            ...(file ? { file } : {}),
          })),
      );
    }
    return fc.oneof(...choices);
  }

  /** A value of the schema, mostly valid: within its enum and bounds, required fields present. */
  private value(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (depth > 4) return fc.constant(null);
    if (s.enum) return fc.constantFrom(...s.enum);
    const union = s.oneOf ?? s.anyOf;
    if (union) return fc.oneof(...union.map((u) => this.value(u, depth + 1)));
    if (s.allOf)
      return this.value(Object.assign({}, ...s.allOf.map((a) => this.resolve(a))) as Schema, depth);
    switch (s.type) {
      case 'string':
        return fc.oneof(
          fc.constantFrom(...(this.known.name ?? ['c']), 'hello world', 'tiny/embed'),
          fc.string({ maxLength: s.maxLength ? Math.min(s.maxLength, 50) : 50 }),
        );
      case 'integer':
        return fc.integer({ min: s.minimum ?? -10, max: Math.min(s.maximum ?? 1000, 1000) });
      case 'number':
        return fc.double({
          min: s.minimum ?? -10,
          max: Math.min(s.maximum ?? 1000, 1000),
          noNaN: true,
        });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.value(s.items ?? {}, depth + 1), { maxLength: 3 });
      case 'object':
      case undefined: {
        if (!s.properties) return anyJson;
        const required = s.required ?? [];
        return fc.record(
          Object.fromEntries(
            Object.entries(s.properties).map(([k, v]) => [k, this.value(v, depth + 1)]),
          ),
          { requiredKeys: required.filter((k) => k in s.properties!) },
        );
      }
      default:
        return anyJson;
    }
  }

  /** A valid value with one thing wrong: a field of the wrong type, a field dropped or added. */
  private mutated(schema: Schema): fc.Arbitrary<unknown> {
    return fc
      .tuple(this.value(schema, 0), fc.nat(), anyJson, oddString)
      .map(([value, pick, wrong, key]) => {
        if (!value || typeof value !== 'object' || Array.isArray(value)) return wrong;
        const obj = { ...(value as Record<string, unknown>) };
        const keys = Object.keys(obj);
        const k = keys[pick % Math.max(1, keys.length)];
        switch (pick % 4) {
          case 0:
            if (k) obj[k] = wrong;
            break;
          case 1:
            if (k) delete obj[k];
            break;
          case 2:
            obj[key] = wrong;
            break;
          default:
            if (k) obj[k] = [obj[k], obj[k]];
        }
        return obj;
      });
  }

  private resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; s.$ref && i < 10; i++) {
      const name = s.$ref.split('/').pop()!;
      s = this.doc.components?.schemas?.[name] ?? {};
    }
    return s;
  }
}
