/**
 * The routes of resource servers and MCP clients in the IAM check's run: RFC 9728 metadata, the sample
 * MCP server, and a registration without an account (the run enables OPEN_REGISTRATION), then RFC 7592
 * management, which `ownerSession` registers a client for.
 */
import { expect } from 'vitest';
import { bearer, send } from './http.ts';
import { registrationManagementFlows } from './management-flows.ts';

/** `accessToken` is for the default resource server, the only one declared in this run. */
export async function resourceServerFlows(
  baseUrl: string,
  accessToken: string,
  ownerSession: string,
): Promise<void> {
  const metadata = await send(baseUrl, 'GET', '/.well-known/oauth-protected-resource/protected');
  expect(metadata.status).toBe(200);
  const listed = await send(baseUrl, 'POST', '/protected/mcp', {
    headers: { ...bearer(accessToken), accept: 'application/json, text/event-stream' },
    json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });
  expect(listed.status, listed.text).toBe(200);
  const registered = await send(baseUrl, 'POST', '/client', {
    json: { application_type: 'native', redirect_uris: ['http://127.0.0.1:33418/cb'] },
  });
  expect(registered.status, registered.text).toBe(201);
  await registrationManagementFlows(baseUrl, ownerSession);
}
