/**
 * RFC 7592 in the IAM check's run: a client registered without an account read, updated and deleted
 * with its registration access token, and an owner's client deleted with its token (which counts it off
 * the owner's user item, found by the bySub index).
 */
import { expect } from 'vitest';
import { bearer, type Reply, send } from './http.ts';

const REDIRECT = 'http://127.0.0.1:33419/cb';

function expectStatus(reply: Reply, status: number): Record<string, unknown> {
  expect(reply.status, reply.text.slice(0, 300)).toBe(status);
  return status === 204 ? {} : (reply.json() as Record<string, unknown>);
}

export async function registrationManagementFlows(baseUrl: string, ownerSession: string): Promise<void> {
  const open = expectStatus(
    await send(baseUrl, 'POST', '/client', { json: { redirect_uris: [REDIRECT] } }),
    201,
  );
  const path = `/client/${open.client_id}`;
  const read = expectStatus(
    await send(baseUrl, 'GET', path, { headers: bearer(open.registration_access_token as string) }),
    200,
  );
  const updated = expectStatus(
    await send(baseUrl, 'PUT', path, {
      headers: bearer(read.registration_access_token as string),
      json: { client_id: open.client_id, redirect_uris: [REDIRECT, 'http://127.0.0.1:33420/cb'] },
    }),
    200,
  );
  const token = updated.registration_access_token as string;
  expectStatus(await send(baseUrl, 'DELETE', path, { headers: bearer(token) }), 204);

  const owned = expectStatus(
    await send(baseUrl, 'POST', '/client', {
      headers: bearer(ownerSession),
      json: { client_name: 'Managed by token', redirect_uris: [REDIRECT] },
    }),
    201,
  );
  const ownedToken = owned.registration_access_token as string;
  expectStatus(
    await send(baseUrl, 'DELETE', `/client/${owned.client_id}`, { headers: bearer(ownedToken) }),
    204,
  );
}
