import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../../../common/errors';

/**
 * OCR language data: tesseract's trained models as npm packages, `@tesseract.js-data/<code>`
 * (eng ships with ragd; `npm install @tesseract.js-data/fra` adds French). Read from
 * node_modules, never downloaded. The LSTM integer models (`4.0.0_best_int`) are preferred: the
 * ones tesseract.js itself picks for its LSTM engine, a quarter of the size of the full ones.
 */

/** A tesseract language code: eng, fra, chi_sim, aze_cyrl, ... */
const CODE = /^[a-z]{3}(_[a-z]{3,5})?$/;
const MODEL_DIRS = ['4.0.0_best_int', '4.0.0'];

/** An upload's ocrLangs as clients write it: codes joined by + or commas. */
export const OCR_LANGUAGES_TEXT =
  /^\s*[a-z]{3}(_[a-z]{3,5})?(\s*[+,]\s*[a-z]{3}(_[a-z]{3,5})?)*\s*$/;
export const OCR_LANGUAGES_MESSAGE =
  'ocrLangs must be tesseract language codes joined by + or commas (eng, eng+fra, chi_sim)';

/** "eng+fra", "eng,fra" or "eng fra" as codes, without repeats; empty when none is named. */
export function splitOcrLanguages(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[+,\s]+/)
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** Whether the text is a well-formed language code (installed or not). */
export const isOcrLanguageCode = (code: string): boolean => CODE.test(code);

/** The folder holding `<code>.traineddata.gz` of an installed language package, or undefined. */
export function ocrLanguageDir(code: string): string | undefined {
  if (!CODE.test(code)) return undefined;
  let root: string;
  try {
    root = path.dirname(require.resolve(`@tesseract.js-data/${code}/package.json`));
  } catch {
    return undefined;
  }
  return MODEL_DIRS.map((d) => path.join(root, d)).find((dir) =>
    existsSync(path.join(dir, `${code}.traineddata.gz`)),
  );
}

/** The codes among these that are malformed or not installed. */
export function missingOcrLanguages(codes: readonly string[]): string[] {
  return codes.filter((c) => ocrLanguageDir(c) === undefined);
}

/** What to tell a client or an operator about languages that cannot be used. */
export function missingLanguagesMessage(missing: readonly string[]): string {
  return `OCR language${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed (codes like eng, fra, chi_sim; each is the npm package @tesseract.js-data/<code>, e.g. npm install @tesseract.js-data/${missing[0] ?? 'fra'})`;
}

/** Throws InvalidInputError (400) unless every language is installed: checked before a file is taken. */
export function assertOcrLanguages(codes: readonly string[]): void {
  const missing = missingOcrLanguages(codes);
  if (missing.length > 0)
    throw new InvalidInputError(missingLanguagesMessage(missing), { ocrLangs: missing });
}

/** An upload's ocrLangs field as checked codes; undefined when not given. */
export function ocrLanguagesField(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const codes = splitOcrLanguages(text);
  assertOcrLanguages(codes);
  return codes.length > 0 ? codes : undefined;
}
