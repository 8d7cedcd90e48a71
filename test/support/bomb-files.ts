/**
 * Hostile files built by the tests themselves, small on the wire and huge once unpacked: a DOCX
 * zip bomb (a document.xml of 1 GB of spaces, deflated), HTML nested tens of thousands deep, a PDF
 * whose content stream inflates to hundreds of MB, a CSV with a million columns.
 */
import * as zlib from 'node:zlib';

const MiB = 1024 * 1024;

const SYNC = { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH };

/**
 * Raw deflate of `prefix`, then `mib` copies of `chunk`, then `suffix`, without ever holding the
 * whole: each part is deflated with a sync flush (it then ends on a byte boundary and refers to
 * nothing before it), so the parts concatenate; the last one is final. Also the CRC-32 and size.
 */
function deflatedRepeat(
  prefix: Buffer,
  chunk: Buffer,
  copies: number,
  suffix: Buffer,
): { data: Buffer; crc: number; size: number } {
  const piece = zlib.deflateRawSync(chunk, SYNC);
  let crc = zlib.crc32(prefix);
  for (let i = 0; i < copies; i++) crc = zlib.crc32(chunk, crc);
  crc = zlib.crc32(suffix, crc);
  const data = Buffer.concat([
    zlib.deflateRawSync(prefix, SYNC),
    ...Array<Buffer>(copies).fill(piece),
    zlib.deflateRawSync(suffix),
  ]);
  return { data, crc, size: prefix.length + copies * chunk.length + suffix.length };
}

interface ZipEntry {
  name: string;
  /** Deflated (method 8) when `deflated`; stored otherwise. */
  data: Buffer;
  crc: number;
  size: number;
  deflated: boolean;
}

const stored = (name: string, text: string): ZipEntry => {
  const data = Buffer.from(text, 'utf8');
  return { name, data, crc: zlib.crc32(data), size: data.length, deflated: false };
};

/** A ZIP of the entries; `declare` overrides the uncompressed size written for an entry (a liar). */
function zip(entries: readonly ZipEntry[], declare: Record<string, number> = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const size = declare[e.name] ?? e.size;
    const describe = (h: Buffer, at: number) => {
      h.writeUInt16LE(e.deflated ? 8 : 0, at - 6);
      h.writeUInt32LE(e.crc >>> 0, at);
      h.writeUInt32LE(e.data.length, at + 4);
      h.writeUInt32LE(size, at + 8);
      h.writeUInt16LE(name.length, at + 12);
      return h;
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    describe(local, 14);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    describe(central, 16);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';

/**
 * A DOCX whose word/document.xml is `mib` MiB of spaces inside a paragraph, deflated (about 1 KB
 * per MiB). With `lie`, the directory declares the part as 1 KB.
 */
export function zipBombDocx(mib = 1024, lie = false): Buffer {
  const open = `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body><w:p><w:r><w:t xml:space="preserve">`;
  const close = '</w:t></w:r></w:p></w:body></w:document>';
  const body = deflatedRepeat(Buffer.from(open), Buffer.alloc(MiB, ' '), mib, Buffer.from(close));
  const document: ZipEntry = { name: 'word/document.xml', ...body, deflated: true };
  return zip(
    [stored('[Content_Types].xml', CONTENT_TYPES), stored('_rels/.rels', RELS), document],
    lie ? { 'word/document.xml': 1024 } : {},
  );
}

/** A ZIP-based DOCX with `count` tiny entries besides its document. */
export function manyEntriesDocx(count: number): Buffer {
  const doc = `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body><w:p><w:r><w:t>hi</w:t></w:r></w:p></w:body></w:document>`;
  const extra = Array.from({ length: count }, (_, i) => stored(`word/media/x${i}.txt`, 'x'));
  return zip([
    stored('[Content_Types].xml', CONTENT_TYPES),
    stored('_rels/.rels', RELS),
    stored('word/document.xml', doc),
    ...extra,
  ]);
}

/** HTML with `depth` nested <div>s around one word. */
export function deepHtml(depth = 30_000): Buffer {
  return Buffer.from(
    `<!doctype html><html><body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body></html>`,
  );
}

/**
 * A one-page PDF whose content stream is `(a) Tj` repeated until it inflates to about `mib` MiB
 * (Flate-compressed to a few hundred KB).
 */
export function pdfBomb(mib = 160): Buffer {
  const op = Buffer.from('(a) Tj ');
  const chunk = Buffer.alloc(Math.floor(MiB / op.length) * op.length, op);
  const raw = deflatedRepeat(Buffer.from('BT /F1 1 Tf 0 0 Td '), chunk, mib, Buffer.from(' ET'));
  // A zlib stream: header, the raw deflate, and an Adler-32 that pdf.js does not check.
  const body = Buffer.concat([Buffer.from([0x78, 0xda]), raw.data, Buffer.alloc(4)]);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>',
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  const push = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(length);
    push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1'));
  });
  offsets.push(length);
  push(
    Buffer.from(`5 0 obj\n<< /Length ${body.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
  );
  push(body);
  push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
  const xref = length;
  push(
    Buffer.from(
      `xref\n0 6\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}` +
        `trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}

/** A CSV whose header names `columns` columns, and one row with values in its first ten. */
export function wideCsv(columns = 1_000_000): Buffer {
  const names = Array.from({ length: columns }, (_, i) => `c${i}`);
  const row = names.map((_, i) => (i < 10 ? `v${i}` : ''));
  return Buffer.from(`${names.join(',')}\n${row.join(',')}\n`);
}
