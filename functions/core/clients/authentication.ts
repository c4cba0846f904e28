/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
 * `client_secret_basic`, `client_secret_post`, or `none` for public clients. A client must use the
 * method it registered; using two at once, an unknown client or a wrong secret is `invalid_client`.
 */
import { InvalidClient } from '#core/errors';
import type { Parameters } from '#core/oauth/parameters';
import { matchesHash } from '#core/secrets';
import { type ClientLookup, type ClientRecord, isClientIdentifier } from './records.ts';

export const BASIC_CHALLENGE = 'Basic realm="tinyoauth", charset="UTF-8"';

interface PresentedCredentials {
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
  clientId: string;
  secret?: string;
}

/** RFC 6749 Appendix B: id and secret are form-urlencoded before Basic encoding, so decode them after. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function presented(authorization: string | undefined, form: Parameters): PresentedCredentials {
  const bodyId = form.get('client_id');
  const bodySecret = form.get('client_secret');
  if (authorization !== undefined && /^Basic /i.test(authorization)) {
    const challenge = { headers: { 'WWW-Authenticate': BASIC_CHALLENGE } };
    if (bodySecret !== undefined) {
      throw new InvalidClient('Use exactly one client authentication method.', {
        ...challenge,
        detail: 'basic and post',
      });
    }
    let clientId: string;
    let secret: string;
    try {
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error('no colon');
      clientId = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw new InvalidClient('The Basic credentials are malformed.', challenge);
    }
    if (!clientId) throw new InvalidClient('The Basic credentials are malformed.', challenge);
    if (bodyId !== undefined && bodyId !== clientId) {
      throw new InvalidClient('client_id does not match the authenticated client.', challenge);
    }
    return { method: 'client_secret_basic', clientId, secret };
  }
  if (authorization !== undefined && !/^Bearer /i.test(authorization)) {
    throw new InvalidClient('Unsupported client authentication scheme.', { detail: 'authorization scheme' });
  }
  if (bodyId === undefined)
    throw new InvalidClient('Client authentication is required.', { detail: 'no client_id' });
  if (bodySecret !== undefined) return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
  return { method: 'none', clientId: bodyId };
}

export async function authenticateClient(
  clients: ClientLookup,
  authorization: string | undefined,
  form: Parameters,
): Promise<ClientRecord> {
  const credentials = presented(authorization, form);
  const challenge =
    credentials.method === 'client_secret_basic' ? { 'WWW-Authenticate': BASIC_CHALLENGE } : undefined;
  // The presented client id is logged with the refusal, so a wrong secret names its client.
  const refuse = (detail: string) =>
    new InvalidClient('Client authentication failed.', {
      detail,
      logged: { clientId: credentials.clientId },
      ...(challenge ? { headers: challenge } : {}),
    });

  // An id no client can have is refused unread, exactly as an unknown one (the secret is still hashed).
  const client = isClientIdentifier(credentials.clientId)
    ? await clients.findClient(credentials.clientId)
    : undefined;
  // Hash and compare even for an unknown client, so that timing does not reveal which client ids exist.
  const secretMatches =
    credentials.secret !== undefined && matchesHash(credentials.secret, client?.secretHash);
  if (!client) throw refuse('unknown client');
  if (client.tokenEndpointAuthMethod !== credentials.method) {
    // The registered method is no secret, and naming it turns a puzzling failure into a one-line fix.
    throw new InvalidClient(
      `This client is registered for ${client.tokenEndpointAuthMethod}; it must authenticate that way, not with ${credentials.method}.`,
      { detail: `used ${credentials.method}`, ...(challenge ? { headers: challenge } : {}) },
    );
  }
  if (credentials.method !== 'none' && !secretMatches) throw refuse('wrong secret');
  // After the secret, so that only the client's holder learns it is suspended (and only from the log).
  if (client.suspendedAt !== undefined) throw refuse('client suspended');
  return client;
}
