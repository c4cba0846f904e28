/** The resource-server routes of the IAM check's run: RFC 9728 metadata, and the sample MCP server. */
import { expect } from 'vitest';
import { bearer, send } from './http.ts';

/** `accessToken` is for the default resource server, the only one declared in this run. */
export async function resourceServerFlows(baseUrl: string, accessToken: string): Promise<void> {
  const metadata = await send(baseUrl, 'GET', '/.well-known/oauth-protected-resource/protected');
  expect(metadata.status).toBe(200);
  const listed = await send(baseUrl, 'POST', '/protected/mcp', {
    headers: { ...bearer(accessToken), accept: 'application/json, text/event-stream' },
    json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });
  expect(listed.status, listed.text).toBe(200);
}
