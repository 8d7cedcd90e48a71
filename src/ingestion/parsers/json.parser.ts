import { CorruptDocumentError, InvalidInputError } from '../../common/errors';
import { TextFormatParser, ParseOptions, decodeUtf8, sniffText } from './document-parser';
import { HeadingMark, sectionsFromHeadings } from './structure-builder';
import type { StructuredDocument } from './structured-document';
import { DEFAULT_JSON_TEXT_FIELDS, FORMATS } from './formats';

/** Same limit as the metadata of a document sent as JSON. */
const MAX_METADATA_CHARS = 65536;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * JSON. An object: its text fields (`textFields`, dot paths for nested ones; default text,
 * content, body, description, abstract, summary) are the text, each a section named by its field
 * when there are several; every other field is metadata. An array of objects: each item with text
 * is a record and a section named by its `title` (or its position). Anything else is indexed as
 * its pretty-printed JSON.
 */
export const jsonParser: TextFormatParser = {
  ...FORMATS.json,
  // An object or an array of JSON values ("[INFO] ..." is a log line, not JSON).
  sniff: (data) =>
    sniffText(data, (start) => /^(\{\s*["}]|\[\s*([[{"\d\]-]|true|false|null))/.test(start)),
  parse: (data, options: ParseOptions) => {
    let value: Json;
    try {
      value = JSON.parse(decodeUtf8(data)) as Json;
    } catch (e) {
      if (e instanceof SyntaxError)
        throw new CorruptDocumentError(`The JSON file could not be parsed: ${e.message}`);
      throw e;
    }
    const fields = options.textFields?.length ? options.textFields : DEFAULT_JSON_TEXT_FIELDS;
    return fromObject(value, fields) ?? fromArray(value, fields) ?? asJsonText(value);
  },
};

function fromObject(value: Json, fields: readonly string[]): StructuredDocument | undefined {
  if (!isObject(value)) return undefined;
  const texts = textFieldsOf(value, fields);
  if (texts.length === 0) return undefined;
  const metadata = withoutPaths(
    value,
    texts.map((t) => t.field),
  );
  if (JSON.stringify(metadata).length > MAX_METADATA_CHARS) {
    throw new InvalidInputError(
      `The fields of the JSON file other than its text (${texts.map((t) => t.field).join(', ')}) exceed ${MAX_METADATA_CHARS} characters of metadata; name the long fields in textFields`,
    );
  }
  const title =
    typeof value.title === 'string' && value.title.trim() ? value.title.trim() : undefined;
  const body = new SectionedText();
  for (const t of texts) body.add(texts.length > 1 ? [t.field] : [], t.text);
  return {
    ...body.build(),
    ...(title ? { title } : {}),
    contentType: FORMATS.json.contentType,
    metadata,
  };
}

function fromArray(value: Json, fields: readonly string[]): StructuredDocument | undefined {
  if (!Array.isArray(value)) return undefined;
  const body = new SectionedText();
  let records = 0;
  value.forEach((item, i) => {
    if (!isObject(item)) return;
    const texts = textFieldsOf(item, fields);
    if (texts.length === 0) return;
    const name = typeof item.title === 'string' && item.title.trim() ? item.title.trim() : `[${i}]`;
    body.add([name], texts.map((t) => t.text).join('\n\n'));
    records++;
  });
  if (records === 0) return undefined;
  return {
    ...body.build(),
    records: true,
    contentType: FORMATS.json.contentType,
    metadata: { records },
  };
}

function asJsonText(value: Json): StructuredDocument {
  return {
    text: JSON.stringify(value, null, 2),
    contentType: FORMATS.json.contentType,
    metadata: {},
    sections: [],
    pages: [],
  };
}

/** Texts joined by blank lines, each piece a section under its path (which is not part of the text). */
class SectionedText {
  private text = '';
  private readonly marks: HeadingMark[] = [];

  add(path: string[], piece: string): void {
    if (this.text) this.text += '\n\n';
    // Marks of zero length: the section has a name but no heading line in the text.
    path.forEach((title, level) =>
      this.marks.push({ start: this.text.length, end: this.text.length, level: level + 1, title }),
    );
    this.text += piece;
  }

  build() {
    return {
      text: this.text,
      sections: sectionsFromHeadings(this.marks, this.text.length),
      pages: [],
    };
  }
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The named fields holding text (a string, or an array of strings read as paragraphs), in the order named. */
function textFieldsOf(
  obj: JsonObject,
  fields: readonly string[],
): { field: string; text: string }[] {
  const out: { field: string; text: string }[] = [];
  for (const field of fields) {
    const v = field
      .split('.')
      .reduce<Json | undefined>((o, k) => (isObject(o) ? o[k] : undefined), obj);
    const text =
      typeof v === 'string'
        ? v
        : Array.isArray(v) && v.every((x) => typeof x === 'string')
          ? v.join('\n\n')
          : '';
    if (text.trim()) out.push({ field, text });
  }
  return out;
}

/** A copy of obj without the fields at the given dot paths (objects left empty are dropped too). */
function withoutPaths(obj: JsonObject, paths: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(obj)) {
    if (paths.includes(key)) continue;
    const nested = paths.filter((p) => p.startsWith(`${key}.`)).map((p) => p.slice(key.length + 1));
    if (nested.length > 0 && isObject(v)) {
      const rest = withoutPaths(v, nested);
      if (Object.keys(rest).length > 0) out[key] = rest;
    } else {
      out[key] = v;
    }
  }
  return out;
}
