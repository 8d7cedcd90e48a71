export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateOptions {
  maxTokens: number;
  temperature: number;
  /** Aborting stops the generation; the result then ends 'cancelled'. */
  signal?: AbortSignal;
  /** Each piece of text as it is generated. */
  onToken?: (text: string) => void;
}

export interface GenerateResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'cancelled';
}
