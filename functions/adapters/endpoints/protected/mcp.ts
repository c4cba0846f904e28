/**
 * ANY /protected/mcp: a small MCP server (Model Context Protocol, Streamable HTTP transport, stateless
 * with JSON responses) behind the authorizer, declared as a resource server of its own. It trusts only
 * the identity API Gateway hands over from the authorizer (`requestContext.authorizer`), never a
 * header; its tools are harmless: who is calling, an echo, a sum.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import type { HttpResponse } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import { type Caller, requireCaller } from './sample.ts';

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/** One server per request: the transport is stateless, and each request has its own caller. */
function mcpServer(caller: Caller): McpServer {
  const server = new McpServer({ name: 'tinyoauth-sample-mcp', version: '1.0.0' });
  server.registerTool(
    'whoami',
    { description: 'Who is calling: the user, the client and the scope of the access token.' },
    async () => text(JSON.stringify({ sub: caller.sub, client_id: caller.client_id, scope: caller.scope })),
  );
  server.registerTool(
    'echo',
    { description: 'Answers with the message it was given.', inputSchema: { message: z.string().max(1000) } },
    async ({ message }) => text(message),
  );
  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => text(String(a + b)),
  );
  return server;
}

/** The API Gateway event as the web Request the transport reads. */
function webRequest(request: HttpRequest): Request {
  const { event } = request;
  const host = request.header('host') ?? 'localhost';
  const body = ['GET', 'HEAD'].includes(event.httpMethod) ? undefined : request.text();
  return new Request(`https://${host}${event.path}`, {
    method: event.httpMethod,
    headers: [...request.headers].filter(([name]) => name !== 'authorization'),
    ...(body === undefined ? {} : { body }),
  });
}

async function fromWebResponse(response: Response): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

export const createMcpServerHandler = (logger: Logger) =>
  httpHandler(
    async (request) => {
      const caller = requireCaller(request);
      const server = mcpServer(caller);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await server.connect(transport);
      try {
        return await fromWebResponse(await transport.handleRequest(webRequest(request)));
      } finally {
        await server.close();
      }
    },
    { logger },
  );
