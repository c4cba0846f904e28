/**
 * RFC 7592 over HTTP against `npm start` (which enables open registration): a client registers without
 * an account, reads itself with its registration access token, replaces its redirect URIs, deletes
 * itself, and is then unknown to /authorize.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '#core/secrets';
import { bearer, send } from '../integration/infra/http.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

// Different paths: loopback redirect URIs match on any port (RFC 8252 §7.3).
const FIRST = 'http://127.0.0.1:33418/first';
const SECOND = 'http://127.0.0.1:33418/second';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** /authorize for the client and redirect URI: how the authorization endpoint sees the client now. */
const authorize = (clientId: string, redirectUri: string) =>
  send(stack.baseUrl, 'GET', '/authorize', {
    // As a browser asks: the endpoint checks the client and redirect URI before anyone signs in.
    headers: { accept: 'text/html' },
    query: {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'read',
      state: 's',
      code_challenge: sha256('v'.repeat(43)),
      code_challenge_method: 'S256',
    },
  });

describe('a client managing its own registration (RFC 7592)', () => {
  it('reads, updates and deletes itself with its registration access token', async () => {
    const registered = await send(stack.baseUrl, 'POST', '/client', {
      json: { client_name: 'Self-managed', redirect_uris: [FIRST] },
    });
    expect(registered.status, registered.text).toBe(201);
    const {
      client_id: clientId,
      registration_access_token: first,
      registration_client_uri: uri,
    } = registered.json() as Record<string, string>;
    expect(uri).toBe(`${stack.baseUrl}/client/${clientId}`);
    const path = new URL(uri as string).pathname;

    const read = await send(stack.baseUrl, 'GET', path, { headers: bearer(first as string) });
    expect(read.status, read.text).toBe(200);
    expect(read.json()).toMatchObject({
      client_id: clientId,
      client_name: 'Self-managed',
      redirect_uris: [FIRST],
      token_endpoint_auth_method: 'none',
      registration_client_uri: uri,
    });
    expect(read.headers.get('cache-control')).toBe('no-store');
    const second = read.json().registration_access_token as string;
    expect(second).not.toBe(first);

    const reused = await send(stack.baseUrl, 'GET', path, { headers: bearer(first as string) });
    expect({ status: reused.status, error: reused.json().error }).toEqual({
      status: 401,
      error: 'invalid_token',
    });
    expect(reused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');

    const updated = await send(stack.baseUrl, 'PUT', path, {
      headers: bearer(second),
      json: { client_id: clientId, client_name: 'Self-managed', redirect_uris: [SECOND] },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json().redirect_uris).toEqual([SECOND]);
    const third = updated.json().registration_access_token as string;

    // The authorization endpoint sees the new redirect URI at once, and no longer the old one.
    const old = await authorize(clientId as string, FIRST);
    const current = await authorize(clientId as string, SECOND);
    expect(old.status).toBe(400);
    expect(current.status).toBe(200);
    expect(current.text).toContain('<button type="submit">Sign in</button>');

    const deleted = await send(stack.baseUrl, 'DELETE', path, { headers: bearer(third) });
    expect(deleted.status, deleted.text).toBe(204);
    const gone = await authorize(clientId as string, SECOND);
    expect(gone.status).toBe(400);
    expect(gone.text).toContain('The client is not registered.');
    const after = await send(stack.baseUrl, 'GET', path, { headers: bearer(third) });
    expect({ status: after.status, error: after.json().error }).toEqual({
      status: 401,
      error: 'invalid_token',
    });
  });
});
