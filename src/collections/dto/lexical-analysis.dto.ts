import { ApiProperty } from '@nestjs/swagger';
import { LANGUAGE_SETTINGS } from '../../language/languages';

export const LANGUAGE_DESCRIPTION =
  "How documents and queries are analysed for lexical search (word segmentation, stemming, stop words): 'auto' detects the language of each document and of each query (mixed-language collections work), or a fixed language code. A collection in a fixed language other than English gets EMBEDDING_MODEL_MULTILINGUAL as its default embedding model. Changing it analyses every document again in the background (see `lexical`); searches go on meanwhile.";

export { LANGUAGE_SETTINGS };

export class LexicalAnalysisDto {
  @ApiProperty({
    enum: ['running', 'done'],
    description:
      'running: documents are being analysed again under the language (after a change, or after an upgrade from a version without it); searches go on meanwhile',
  })
  state!: string;
  @ApiProperty({ description: 'The language setting analysed under', example: 'auto' })
  language!: string;
  @ApiProperty({ description: 'Documents analysed under it', example: 12 }) done!: number;
  @ApiProperty({ description: 'Documents of the collection', example: 12 }) total!: number;
}
