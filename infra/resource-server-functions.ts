/**
 * The functions of resource servers and of the clients that find them (MCP's authorization spec): their
 * metadata (RFC 9728). Part of infra/routes.ts's one list of functions, kept here so that list stays
 * readable; routes.ts spreads them in.
 */
import type { FunctionDefinition } from './function-definition.ts';

export const RESOURCE_SERVER_FUNCTIONS = {
  resourceMetadata: {
    entry: 'functions/handlers/discovery/resource-metadata.ts',
    description: 'GET /.well-known/oauth-protected-resource/…: RFC 9728 metadata of each resource server',
    tables: {},
  },
  mcpServer: {
    entry: 'functions/handlers/protected/mcp.ts',
    description: 'ANY /protected/mcp: the sample MCP server (Streamable HTTP), a resource server of its own',
    tables: {},
  },
} as const satisfies Record<string, FunctionDefinition>;

/**
 * The sample MCP server as a resource server (contract/resources.ts): `npm start` declares it, and the
 * CDK construct does when it deploys the example.
 */
export const SAMPLE_MCP_SERVER = {
  name: 'tinyoauth sample MCP server',
  path: '/protected/mcp',
  scopes: 'mcp:tools',
} as const;
