import * as cheerio from 'cheerio';
import { TextFormatParser, decodeUtf8, sniffText } from './document-parser';
import { htmlToStructure } from './html-structure';
import { checkMarkupBounds } from './markup-bounds';
import { StructureBuilder, collapseSpaces } from './structure-builder';
import { FORMATS } from './formats';

/** Page furniture: navigation, banners, sidebars, footers, hidden elements. */
const BOILERPLATE = [
  'nav',
  'aside',
  'footer',
  'form',
  'dialog',
  '[hidden]',
  '[aria-hidden="true"]',
  '[role="navigation"]',
  '[role="banner"]',
  '[role="contentinfo"]',
  '[role="complementary"]',
  '[role="search"]',
].join(', ');

/** Class or id words that mark furniture when a page does not say where its main content is. */
const FURNITURE_NAME =
  /(^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|sidebar|cookies?|banner|advert|ads|social|share|sharing|skip-link|newsletter|related)([\s_-]|$)/i;

/**
 * HTML: the main content (<main>, else the longest <article>, else <body> without elements named
 * like navigation or sidebars), without scripts, styles, navigation, banners, footers or forms.
 * Headings h1-h6 open sections.
 */
export const htmlParser: TextFormatParser = {
  ...FORMATS.html,
  sniff: (data) =>
    sniffText(data, (start) => /^(<!--.*?-->\s*)*<(!doctype html|html[\s>])/is.test(start)),
  parse: (data, options) => {
    const html = decodeUtf8(data);
    if (options.limits) checkMarkupBounds(html, options.limits);
    const $ = cheerio.load(html);
    const title =
      collapseSpaces($('title').first().text()) ||
      collapseSpaces($('h1').first().text()) ||
      undefined;
    $(BOILERPLATE).remove();
    // A page header holds the site's banner; one inside the content holds the article's title.
    $('header')
      .filter((_, el) => $(el).closest('main, article, [role="main"]').length === 0)
      .remove();
    let root = $('main, [role="main"]').first();
    if (root.length === 0) {
      const articles = $('article')
        .toArray()
        .sort((a, b) => $(b).text().length - $(a).text().length);
      root = articles.length > 0 ? $(articles[0]) : $('body');
    }
    if (root.is('body')) {
      root
        .find('*')
        .filter((_, el) =>
          FURNITURE_NAME.test(`${$(el).attr('class') ?? ''} ${$(el).attr('id') ?? ''}`),
        )
        .remove();
    }
    const builder = new StructureBuilder();
    htmlToStructure(root.length > 0 ? root : $.root().contents(), builder);
    return {
      ...builder.build(),
      ...(title ? { title } : {}),
      contentType: FORMATS.html.contentType,
      metadata: {},
    };
  },
};
