/** Counts tokens as a model sees them. */
export interface TokenCounter {
  /** 'estimate' when no tokenizer was available, else the tokenizer's model id. */
  readonly name: string;
  /** Tokens the model sees for this text, special tokens and any passage prefix included. */
  count(text: string): number;
}

/**
 * Counts tokens without a tokenizer: about 4 characters a token for ASCII text (English WordPiece and
 * BPE vocabularies average 4-5) and one a character otherwise (CJK and most non-Latin scripts), plus
 * two special tokens. Chunks sized this way are re-chunked with the real tokenizer before they are
 * embedded, so the estimate only sets the lexical granularity meanwhile.
 */
export const estimateTokenCounter: TokenCounter = {
  name: 'estimate',
  count: (text: string) => {
    let ascii = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
    return Math.ceil(ascii / 4 + (text.length - ascii)) + 2;
  },
};
