import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Settings } from '../../../config/settings';
import { SETTINGS } from '../../../config/settings.provider';
import { embeddingProfile } from '../../embedding-profile';
import type { TokenCounter } from '../../token-counter';

interface Tokenizer {
  (text: string, options?: Record<string, unknown>): { input_ids: { dims: number[] } };
  encode(text: string, options?: Record<string, unknown>): number[];
  apply_chat_template(messages: unknown, options: Record<string, unknown>): unknown;
  model_max_length?: number;
}

/** Tokenizers of local models, built on the main thread (pure JS) from the files in MODELS_DIR. */
@Injectable()
export class LocalTokenizers {
  private readonly logger = new Logger(LocalTokenizers.name);
  private readonly tokenizers = new Map<string, Promise<Tokenizer | undefined>>();
  private readonly special = new Map<string, string[]>();
  private transformersModule: Promise<typeof import('@huggingface/transformers')> | undefined;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  /**
   * Counts tokens as the embedding model will see them (passage prefix and special tokens included),
   * with the model's maximum input length. Undefined when the tokenizer cannot be loaded.
   */
  async passageTokenCounter(
    id: string,
  ): Promise<{ counter: TokenCounter; maxTokens: number } | undefined> {
    const tok = await this.tokenizer(id);
    if (!tok) return undefined;
    const prefix = embeddingProfile(id).passagePrefix;
    const declared = Number(tok.model_max_length);
    // Some tokenizers declare a huge sentinel; 512 is the BERT-family position limit.
    const maxTokens =
      Number.isFinite(declared) && declared > 0 && declared <= 100_000 ? declared : 512;
    return {
      counter: { name: id, count: (text: string) => tok.encode(prefix + text).length },
      maxTokens,
    };
  }

  /** Counts tokens of plain text with a generator's tokenizer (no special tokens). */
  async textTokenCounter(id: string): Promise<((text: string) => number) | undefined> {
    const tok = await this.tokenizer(id);
    if (!tok) return undefined;
    return (text: string) => tok.encode(text, { add_special_tokens: false }).length;
  }

  /** The special tokens the model's tokenizer declares (none when its files are not at hand). */
  async specialTokens(id: string): Promise<string[]> {
    let tokens = this.special.get(id);
    if (!tokens) {
      try {
        const json = JSON.parse(
          await fs.readFile(path.join(this.settings.modelsDir, id, 'tokenizer.json'), 'utf8'),
        ) as { added_tokens?: { content?: unknown; special?: unknown }[] };
        tokens = (json.added_tokens ?? [])
          .filter((t) => t.special === true && typeof t.content === 'string')
          .map((t) => t.content as string);
        this.special.set(id, tokens);
      } catch {
        return []; // looked for again next time, as the tokenizer is
      }
    }
    return tokens;
  }

  private tokenizer(id: string): Promise<Tokenizer | undefined> {
    let t = this.tokenizers.get(id);
    if (!t) {
      t = this.loadTokenizer(id);
      this.tokenizers.set(id, t);
      // A missing tokenizer is looked for again on the next call (reading two files is cheap).
      void t.then((tok) => {
        if (!tok) this.tokenizers.delete(id);
      });
    }
    return t;
  }

  /**
   * Builds the tokenizer from the files in MODELS_DIR/<id> (where a hub download lands too). Read
   * directly rather than through AutoTokenizer.from_pretrained, which memoises a missing file for
   * the life of the process and would never see files placed or downloaded later.
   */
  private async loadTokenizer(id: string): Promise<Tokenizer | undefined> {
    const dir = path.join(this.settings.modelsDir, id);
    try {
      const [json, config] = await Promise.all(
        ['tokenizer.json', 'tokenizer_config.json'].map(
          async (f) =>
            JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as Record<string, unknown>,
        ),
      );
      const transformers = await this.transformers();
      const declared = config!.tokenizer_class;
      const name = (typeof declared === 'string' ? declared : 'PreTrainedTokenizer').replace(
        /Fast$/,
        '',
      );
      const classes = transformers as unknown as Record<
        string,
        new (json: unknown, config: unknown) => Tokenizer
      >;
      const Cls = classes[name] ?? classes.PreTrainedTokenizer!;
      return new Cls(json, config);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.debug(`Tokenizer of ${id} not available in ${dir}: ${message}`);
      return undefined;
    }
  }

  /** transformers.js on the main thread builds tokenizers only (pure JS); models run in workers. */
  private transformers() {
    this.transformersModule ??= import('@huggingface/transformers');
    return this.transformersModule;
  }
}
