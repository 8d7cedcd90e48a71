import { All, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { Caller, RequestCaller } from '../auth/caller';
import { Public, RequireScope } from '../auth/require-scope.decorator';
import { createRagdMcpServer } from './ragd-tools';
import { ServicesBackend } from './services-backend';

/**
 * MCP over Streamable HTTP at /mcp, stateless: every POST is answered by a fresh server and
 * transport (no session to keep, any instance can answer). The same guard as the REST API runs
 * first: any valid key may call it, and each tool checks the key's read or write scope on its
 * collection (list_collections shows only the readable ones).
 */
@ApiTags('mcp')
@Controller('mcp')
export class McpController {
  constructor(private readonly backend: ServicesBackend) {}

  @Post()
  @HttpCode(200)
  @RequireScope('key')
  @ApiOperation({
    summary:
      'Model Context Protocol (Streamable HTTP, stateless): JSON-RPC requests in, JSON or SSE out',
    description:
      'Tools: list_collections, search, ask, get_document, add_document (docs/mcp.md). Send Accept: application/json, text/event-stream.',
  })
  async handle(
    @Req() req: Request,
    @Res() res: Response,
    @RequestCaller() caller: Caller,
  ): Promise<void> {
    const server = createRagdMcpServer(this.backend, (need, name) => caller.may(need, name));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /** GET (a standalone event stream) and DELETE (end a session) mean nothing without sessions. */
  @All()
  @Public()
  @ApiExcludeEndpoint()
  other(@Res() res: Response): void {
    res
      .status(405)
      .setHeader('Allow', 'POST')
      .json({
        jsonrpc: '2.0',
        error: {
          code: -32000,
          message: 'Method not allowed: this MCP endpoint is stateless; POST only',
        },
        id: null,
      });
  }
}
