// Types of packages whose declarations TypeScript cannot find with CommonJS (node10) resolution.
// @orama/stemmers and @orama/stopwords publish one entry per language through package "exports",
// which TypeScript's CommonJS (node10) resolution does not read: their shapes, declared here.
declare module '@orama/stemmers/*' {
  export const language: string;
  export function stemmer(word: string): string;
}
declare module '@orama/stopwords/*' {
  export const stopwords: string[];
}
// tinyld declares its types only under "exports" as well.
declare module 'tinyld' {
  export function detect(text: string, opts?: { only?: string[] }): string;
  export function detectAll(
    text: string,
    opts?: { only?: string[] },
  ): { lang: string; accuracy: number }[];
}
