import * as path from 'node:path';
import { z } from 'zod';

/**
 * The kinds of value an environment variable holds, each parsed from its text. Defaults are given
 * in the variable's own terms (what a user would write), before any conversion, so the reference
 * shows them as written. `docAllowed` (zod metadata) words the allowed values where the type alone
 * would read badly.
 */

declare module 'zod' {
  interface GlobalMeta {
    /** How docs/configuration.md words the allowed values (else derived from the type). */
    docAllowed?: string;
    /** How docs/configuration.md words the default (else the schema's default). */
    docDefault?: string;
  }
}

export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'int8' | 'uint8' | 'bnb4' | 'q4f16';
export const DTYPES: readonly Dtype[] = [
  'fp32',
  'fp16',
  'q8',
  'q4',
  'int8',
  'uint8',
  'bnb4',
  'q4f16',
];

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;

export function boolean(fallback: boolean) {
  return z
    .enum(BOOLEAN_WORDS, { message: 'must be one of true, false, 1, 0, yes, no' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .meta({ docAllowed: '`true`, `false` (also `1`, `0`, `yes`, `no`)' });
}

export function integer(min: number, max: number, fallback: number) {
  return z.coerce.number().int().min(min).max(max).default(fallback);
}

export function decimal(min: number, max: number, fallback: number) {
  return z.coerce.number().min(min).max(max).default(fallback);
}

export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
) {
  return z.enum(values).default(fallback);
}

export function dtype(fallback: Dtype) {
  return z.enum(DTYPES as [Dtype, ...Dtype[]]).default(fallback);
}

export function text(fallback: string) {
  return z.string().min(1).default(fallback);
}

/** A directory, resolved against the working directory at start-up. */
export function directory(fallback: string) {
  return z
    .string()
    .min(1)
    .default(fallback)
    .transform((p) => path.resolve(p))
    .meta({ docAllowed: 'a path (relative to the working directory)' });
}

/** A directory that may be left unset (the code then picks one). */
export function optionalDirectory() {
  return z
    .string()
    .min(1)
    .transform((p) => path.resolve(p))
    .optional()
    .meta({ docAllowed: 'a path (relative to the working directory)' });
}

/** A secret that may be left unset; when set, at least `minLength` characters. */
export function optionalSecret(minLength: number) {
  return z
    .string()
    .min(minLength, `must be at least ${minLength} characters`)
    .optional()
    .meta({ docAllowed: `at least ${minLength} characters` });
}

/** A comma-separated list; blanks around items and empty items are dropped. */
export function commaList() {
  return z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .meta({ docAllowed: 'comma-separated list' });
}

/** A size in bytes; the reference also shows it in KiB, MiB or GiB. */
export function bytes(min: number, max: number, fallback: number) {
  return integer(min, max, fallback).meta({
    docAllowed: `bytes, ${binary(min)} to ${binary(max)}`,
    docDefault: `\`${fallback}\` (${binary(fallback)})`,
  });
}

/** 1024 -> "1 KiB", 26214400 -> "25 MiB": the largest unit that divides the size evenly. */
function binary(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (unit < units.length - 1 && n >= 1024 && n % 1024 === 0) {
    n /= 1024;
    unit++;
  }
  return `${n} ${units[unit]}`;
}

/** Given in MiB, used in bytes. */
export function mebibytes(min: number, max: number, fallback: number) {
  return integer(min, max, fallback)
    .transform((mb) => mb * 1024 * 1024)
    .meta({ docAllowed: `integer (MiB), ${min} to ${max}` });
}

/** Given in hours (fractions allowed), used in milliseconds. */
export function hours(minSeconds: number, maxHours: number, fallback: number) {
  return decimal(minSeconds / 3600, maxHours, fallback)
    .transform((h) => Math.round(h * 3_600_000))
    .meta({ docAllowed: `hours, fractions allowed: ${minSeconds} s to ${maxHours} h` });
}

/** Text that may be left unset (a secret, say: the reference never shows a value for it). */
export function optionalText() {
  return z.string().min(1).optional().meta({ docAllowed: 'text' });
}

/** An http(s) URL, without a trailing slash. */
export function httpUrl(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((u) => /^https?:\/\/[^/\s]+/i.test(u) && URL.canParse(u), {
      message: 'must be an http:// or https:// URL',
    })
    .transform((u) => u.replace(/\/+$/, ''))
    .meta({ docAllowed: 'an `http://` or `https://` URL' });
}

/** Comma-separated http(s) base URLs (replicas), trailing slashes dropped; empty: none. */
export function httpUrlList() {
  return commaList()
    .superRefine((list, ctx) => {
      for (const u of list)
        if (!/^https?:\/\/[^/\s]+/i.test(u) || !URL.canParse(u))
          ctx.addIssue({
            code: 'custom',
            message: `'${u}' is not an http(s) URL (write a base URL such as http://gpu-box:8000/v1)`,
          });
    })
    .transform((list) => list.map((u) => u.replace(/\/+$/, '')))
    .meta({ docAllowed: 'comma-separated `http://` or `https://` base URLs' });
}

/** A whole number that may be left unset. */
export function optionalInteger(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max).optional();
}

/** A file that may be left unset, resolved against the working directory at start-up. */
export function optionalFile() {
  return z
    .string()
    .min(1)
    .transform((p) => path.resolve(p))
    .optional()
    .meta({ docAllowed: 'a path (relative to the working directory)' });
}
