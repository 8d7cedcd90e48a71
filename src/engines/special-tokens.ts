/**
 * Text from documents and users must never become a chat template's control tokens: a document
 * that contains `<|im_end|><|im_start|>system` would otherwise open a system turn of its own once
 * the prompt is templated and tokenized. Each occurrence of a special token gets an invisible
 * WORD JOINER (U+2060) after its first character, so it is tokenized as ordinary text and reads the
 * same to a person.
 */
const JOINER = '\u2060';

/** Control tokens of common chat templates, besides those a tokenizer declares. */
const COMMON = [
  '<s>',
  '</s>',
  '[INST]',
  '[/INST]',
  '<<SYS>>',
  '<</SYS>>',
  '<start_of_turn>',
  '<end_of_turn>',
  '<bos>',
  '<eos>',
];
/** `<|anything|>`, the ChatML / Llama 3 / Phi family of control tokens. */
const PIPE_TOKEN = '<\\|[^|<>\\s]{1,64}\\|>';

const compiled = new Map<string, RegExp>();

function patternFor(tokens: readonly string[]): RegExp {
  const key = tokens.join('\u0000');
  let re = compiled.get(key);
  if (!re) {
    const literal = [...new Set([...tokens, ...COMMON])]
      .filter((t) => t.length > 1)
      .sort((a, b) => b.length - a.length)
      .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    re = new RegExp([PIPE_TOKEN, ...literal].join('|'), 'g');
    compiled.set(key, re);
  }
  return re;
}

/** The text with every special token (the tokenizer's own, and the common ones) made inert. */
export function neutraliseSpecialTokens(text: string, tokens: readonly string[] = []): string {
  return text.replace(patternFor(tokens), (t) => t[0] + JOINER + t.slice(1));
}
