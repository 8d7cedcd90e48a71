import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { AnsweringService, AskRequest, AskResponse } from '../answering/answering.service';
import { CollectionsService } from '../collections/collections.service';
import { ConversationNotFoundError } from '../common/errors';
import { ConversationsRepository, TurnRow } from '../database/conversations.repository';
import { DatabaseService } from '../database/database.service';
import { Generator } from '../engines/generator';
import { acceptableRewrite, heuristicStandalone, isFollowUp } from './standalone-query';

/** Turns of history the rewrite looks at. */
const HISTORY_TURNS = 6;

export interface ChatTurnRequest extends Omit<AskRequest, 'question'> {
  message: string;
  sessionId?: string;
}

export interface ChatTurnResponse extends AskResponse {
  sessionId: string;
  /** The question as it was searched. */
  standaloneQuery: string;
  /** none: the question stood alone; model: rewritten by the generation model; heuristic: words of the previous query added. */
  rewrite: 'none' | 'model' | 'heuristic';
}

export interface ConversationView {
  sessionId: string;
  collection: string;
  createdAt: string;
  updatedAt: string;
  turns: {
    role: 'user' | 'assistant';
    content: string;
    standaloneQuery?: string;
    citations?: unknown;
    createdAt: string;
  }[];
}

/**
 * Conversations over a collection: the history is kept in SQLite, and a follow-up question is
 * rewritten into one that stands alone before retrieval (by the generation model when it gives a
 * sensible rewrite, else by carrying over the previous query's words).
 */
@Injectable()
export class ConversationsService {
  private readonly logger = new Logger(ConversationsService.name);

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly database: DatabaseService,
    private readonly repo: ConversationsRepository,
    private readonly collections: CollectionsService,
    private readonly answering: AnsweringService,
    private readonly generator: Generator,
  ) {}

  async turn(
    collectionName: string,
    req: ChatTurnRequest,
    signal?: AbortSignal,
  ): Promise<ChatTurnResponse> {
    const collection = this.collections.row(collectionName);
    const { message, sessionId: asked, ...askOptions } = req;
    let sessionId = asked;
    if (sessionId) {
      const c = this.repo.find(sessionId);
      if (!c || c.collection_id !== collection.id)
        throw new ConversationNotFoundError(collectionName, sessionId);
    } else {
      sessionId = randomUUID();
      const id = sessionId;
      this.database.transaction(() => this.repo.insert(id, collection.id));
    }
    const history = this.repo.turns(sessionId, HISTORY_TURNS);
    const { query, rewrite } = await this.standalone(message, history, askOptions);
    const answer = await this.answering.ask(
      collectionName,
      { ...askOptions, question: query },
      signal,
    );
    const id = sessionId;
    this.database.transaction(() => {
      this.repo.addTurn(id, 'user', message, { standaloneQuery: query });
      this.repo.addTurn(id, 'assistant', answer.answer, {
        citations: JSON.stringify(
          answer.citations.map((c) => ({ n: c.n, documentId: c.documentId, chunkId: c.chunkId })),
        ),
      });
    });
    return { ...answer, sessionId, standaloneQuery: query, rewrite };
  }

  get(collectionName: string, sessionId: string): ConversationView {
    const collection = this.collections.row(collectionName);
    const c = this.repo.find(sessionId);
    if (!c || c.collection_id !== collection.id)
      throw new ConversationNotFoundError(collectionName, sessionId);
    return {
      sessionId,
      collection: collectionName,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      turns: this.repo.turns(sessionId).map((t) => ({
        role: t.role,
        content: t.content,
        ...(t.standalone_query ? { standaloneQuery: t.standalone_query } : {}),
        ...(t.citations ? { citations: JSON.parse(t.citations) as unknown } : {}),
        createdAt: t.created_at,
      })),
    };
  }

  delete(collectionName: string, sessionId: string): void {
    this.get(collectionName, sessionId);
    this.database.transaction(() => this.repo.delete(sessionId));
  }

  private async standalone(
    question: string,
    history: TurnRow[],
    options: Pick<AskRequest, 'model' | 'dtype'>,
  ): Promise<{ query: string; rewrite: ChatTurnResponse['rewrite'] }> {
    const previous = [...history].reverse().find((t) => t.role === 'user');
    if (!previous || !isFollowUp(question)) return { query: question, rewrite: 'none' };
    const model = options.model ?? this.settings.generation.model;
    const dtype = options.dtype ?? this.settings.generation.dtype;
    const status = await this.generator.ensure({ id: model, dtype: dtype });
    if (status.state === 'ready') {
      const transcript = history
        .map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content}`)
        .join('\n');
      try {
        const out = await this.generator.generate(
          { id: model, dtype: dtype },
          [
            {
              role: 'system',
              content:
                "Rewrite the user's last question so that it can be understood without the conversation: name the things it refers to. Keep its meaning. Reply with the question only.",
            },
            { role: 'user', content: `Conversation:\n${transcript}\n\nLast question: ${question}` },
          ],
          { maxTokens: 64, temperature: 0 },
        );
        const said = history.map((t) => t.content);
        if (acceptableRewrite(out.text, question, said))
          return { query: out.text.trim(), rewrite: 'model' };
        this.logger.debug(`Rewrite by ${model} not used: ${JSON.stringify(out.text)}`);
      } catch (e) {
        this.logger.warn(`Rewriting a follow-up with ${model} failed: ${(e as Error).message}`);
      }
    }
    return {
      query: heuristicStandalone(question, previous.standalone_query ?? previous.content),
      rewrite: 'heuristic',
    };
  }
}
