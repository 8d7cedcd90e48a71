import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AskDto, AskResponseDto } from '../../answering/dto/ask.dto';

export class ChatTurnDto extends OmitType(AskDto, ['question', 'stream'] as const) {
  @ApiProperty({ example: 'And what does it cross?', maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  message!: string;

  @ApiPropertyOptional({
    description:
      'The conversation to continue; leave out to start one (its id comes back as sessionId)',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  sessionId?: string;
}

export class ChatTurnResponseDto extends AskResponseDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({
    description:
      'The question as it was searched: rewritten to stand alone when it leans on the conversation',
    example: 'What does the night train cross?',
  })
  standaloneQuery!: string;
  @ApiProperty({
    enum: ['none', 'model', 'heuristic'],
    description:
      "none: the question stood alone; model: rewritten by the generation model; heuristic: the previous query's words added (no model, or its rewrite was off-topic)",
  })
  rewrite!: string;
}

class TurnDto {
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: string;
  @ApiProperty() content!: string;
  @ApiPropertyOptional() standaloneQuery?: string;
  @ApiPropertyOptional({ type: Object, isArray: true }) citations?: unknown;
  @ApiProperty() createdAt!: string;
}

export class ConversationDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty() collection!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [TurnDto] }) turns!: TurnDto[];
}
