import { Parser } from 'htmlparser2';
import { CorruptDocumentError, DocumentTooLargeError } from '../../common/errors';
import type { ParseLimits } from './parse-limits';

type MarkupLimits = Pick<ParseLimits, 'markupMaxDepth' | 'markupMaxNodes'>;

/**
 * Refuses HTML nested too deep or with too many elements before a tree is built from it: one
 * streaming pass of htmlparser2's tokenizer (tens of MB a second, no tree, elements closed the
 * way a browser closes them, so `<p>` and `<li>` left open do not count as nesting), stopped at
 * the first element past either limit. 30,000 nested `<div>`s cost seconds in the tree builder
 * and the walk over it; here they cost a few milliseconds.
 */
export function checkMarkupBounds(html: string, limits: MarkupLimits): void {
  let depth = 0;
  let nodes = 0;
  const parser = new Parser(
    {
      onopentag() {
        depth++;
        nodes++;
        if (depth > limits.markupMaxDepth) {
          throw new CorruptDocumentError(
            `The HTML nests elements more than ${limits.markupMaxDepth} deep (MARKUP_MAX_DEPTH)`,
            { limit: limits.markupMaxDepth },
          );
        }
        if (nodes > limits.markupMaxNodes) {
          throw new DocumentTooLargeError(
            `The HTML has more than ${limits.markupMaxNodes} elements (MARKUP_MAX_NODES)`,
            { limit: limits.markupMaxNodes },
          );
        }
      },
      onclosetag() {
        depth--;
      },
    },
    { decodeEntities: false },
  );
  parser.write(html);
  parser.end();
}
