import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorDto } from '../http/error.dto';
import { abortOnClose } from '../http/sse';
import { ConversationsService } from './conversations.service';
import { ChatTurnDto, ChatTurnResponseDto, ConversationDto } from './dto/chat-turn.dto';

@ApiTags('conversations')
@RequireScope('read')
@Controller('v1/collections/:name/chat')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'One turn of a conversation over the collection',
    description:
      'Keeps the history in SQLite. A follow-up question ("and when does it leave?") is rewritten into one that stands alone before retrieval: by the generation model if its rewrite stays on the conversation, else by adding the previous query\'s words. The answer is as for ask, plus sessionId, standaloneQuery and rewrite.',
  })
  @ApiOkResponse({ type: ChatTurnResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such collection or conversation' })
  async turn(
    @Param('name') name: string,
    @Body() body: ChatTurnDto,
    @Res() res: Response,
  ): Promise<void> {
    const signal = abortOnClose(res);
    res.status(200).json(
      await this.conversations.turn(
        name,
        {
          ...body,
          topK: body.topK ?? 5,
          temperature: body.temperature ?? 0,
          neighbors: body.neighbors ?? 0,
        },
        signal,
      ),
    );
  }

  @Get(':sessionId')
  @ApiOperation({ summary: 'A conversation with its turns' })
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(
    @Param('name') name: string,
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
  ): ConversationDto {
    return this.conversations.get(name, sessionId);
  }

  @Delete(':sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a conversation' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  delete(
    @Param('name') name: string,
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
  ): void {
    this.conversations.delete(name, sessionId);
  }
}
