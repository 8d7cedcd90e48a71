/** JSON bodies nested deeper than this are refused before they are parsed, validated or hashed. */
export const MAX_JSON_DEPTH = 64;

/** Thrown from the JSON body parser's verify hook; the exception filter answers 400 json_too_deep. */
export class JsonTooDeepError extends Error {
  readonly type = 'entity.too.deep';
  readonly status = 400;
  constructor(readonly limit: number) {
    super(`JSON body nests deeper than ${limit} levels`);
  }
}

/**
 * Whether raw JSON text nests arrays and objects deeper than `max`: one pass over the bytes,
 * skipping strings, with no parsing (so a body of 10,000 open brackets costs microseconds).
 */
export function nestsDeeperThan(json: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
