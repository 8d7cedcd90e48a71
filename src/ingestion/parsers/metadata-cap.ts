import { MAX_PARSER_METADATA_CHARS } from './parse-limits';

/** Names of cut fields listed in `metadataTruncated`, at most. */
const MAX_NOTED = 20;

const size = (v: unknown) => JSON.stringify(v)?.length ?? 0;

/**
 * Parser-made metadata within the limit a client's metadata has (64 KB as JSON): fields are kept
 * in order while they fit; an array that does not fit keeps the items that do, a string its start;
 * other fields that do not fit are dropped. `metadataTruncated` names the fields cut.
 */
export function capMetadata(
  metadata: Record<string, unknown>,
  max = MAX_PARSER_METADATA_CHARS,
): Record<string, unknown> {
  if (size(metadata) <= max) return metadata;
  const budget = max - 64 - MAX_NOTED * 32; // room for the note
  const out: Record<string, unknown> = {};
  const cut: string[] = [];
  let used = 2;
  for (const [key, value] of Object.entries(metadata)) {
    const entry = size(key) + 1 + size(value) + 1;
    if (used + entry <= budget) {
      out[key] = value;
      used += entry;
      continue;
    }
    cut.push(key);
    const room = budget - used - size(key) - 4;
    if (room <= 0) continue;
    if (Array.isArray(value)) {
      const kept: unknown[] = [];
      let taken = 2;
      for (const item of value) {
        const n = size(item) + 1;
        if (taken + n > room) break;
        kept.push(item);
        taken += n;
      }
      out[key] = kept;
      used += size(key) + 2 + taken;
    } else if (typeof value === 'string') {
      let part = value.slice(0, room);
      while (size(part) > room) part = part.slice(0, Math.floor(part.length / 2));
      out[key] = part;
      used += size(key) + 2 + size(part);
    }
  }
  out.metadataTruncated = cut.slice(0, MAX_NOTED).map((k) => k.slice(0, 24));
  return out;
}
