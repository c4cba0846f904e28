/** ANY /protected/mcp: the sample MCP server behind the authorizer, its own resource server. */
import { mcpServerEndpoint } from '#app/mcp-endpoint';

export const handler = mcpServerEndpoint();
