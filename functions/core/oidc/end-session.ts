/**
 * RP-Initiated Logout 1.0 (§2, §3): a client sends the browser to the end-session endpoint, with the
 * ID token it holds as `id_token_hint`, the `post_logout_redirect_uri` it registered, and `state`.
 * This module reads and checks such a request; the endpoint decides whether to ask the user first
 * (always, unless the hint proves the request is about this very browser session).
 */
import { errors, jwtVerify } from 'jose';
import { type ClientLookup, type ClientRecord, isClientId } from '#core/clients/records';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest } from '#core/errors';
import type { KeyRing } from '#core/keys/key-ring';
import type { Parameters } from '#core/oauth/parameters';
import { ID_TOKEN_TYPE } from './id-token.ts';

/** Who the hint says signed in, to which client, in which login session. */
export interface IdTokenHint {
  sub: string;
  clientId: string;
  sessionId: string | undefined;
}

/** A checked logout request. */
export interface LogoutRequest {
  /** Set only when the hint verified: then it was issued by tinyoauth to `client`. */
  hint: IdTokenHint | undefined;
  client: ClientRecord | undefined;
  /** The registered post-logout redirect URI with `state`, or undefined: show the signed-out page. */
  redirect: string | undefined;
  /** The request's own parameters, to carry through the confirmation form. */
  fields: Record<string, string>;
}

export interface EndSessionDependencies {
  clients: ClientLookup;
  keys: KeyRing;
  issuer: string;
  clock: Clock;
  /**
   * How long past its `exp` a hint is still accepted: the spec asks OPs to accept hints of sessions
   * that ended recently, and no session outlives the session lifetime.
   */
  hintToleranceSeconds: number;
}

const FIELDS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const;

export class EndSession {
  constructor(private readonly deps: EndSessionDependencies) {}

  /** The request, checked; `invalid_request` for a client or redirect URI that does not fit. */
  async read(params: Parameters): Promise<LogoutRequest> {
    params.refuseRepeated();
    const fields: Record<string, string> = {};
    for (const name of FIELDS) {
      const value = params.get(name);
      if (value !== undefined) fields[name] = value;
    }
    const hint = fields.id_token_hint === undefined ? undefined : await this.verifyHint(fields.id_token_hint);
    const clientId = fields.client_id ?? hint?.clientId;
    if (fields.client_id !== undefined && hint && hint.clientId !== fields.client_id) {
      throw new InvalidRequest('"client_id" is not the client the ID token was issued to.');
    }
    // A value no client could have names none, and is never read (DynamoDB refuses oversized keys).
    const known = clientId !== undefined && isClientId(clientId);
    const client = known ? await this.deps.clients.findClient(clientId) : undefined;
    if (clientId !== undefined && !client) throw new InvalidRequest('The client is not registered.');
    return { hint, client, redirect: redirectAfterLogout(client, fields), fields };
  }

  /** The hint's claims if tinyoauth signed it (expired or not); undefined otherwise. */
  private async verifyHint(token: string): Promise<IdTokenHint | undefined> {
    try {
      const { payload } = await jwtVerify(token, await this.deps.keys.verificationKeys(), {
        algorithms: ['RS256', 'ES256'],
        typ: ID_TOKEN_TYPE,
        issuer: this.deps.issuer,
        requiredClaims: ['sub', 'aud', 'exp'],
        clockTolerance: this.deps.hintToleranceSeconds,
        currentDate: new Date(epochSeconds(this.deps.clock) * 1000),
      });
      const { sub, aud, sid } = payload;
      const clientId = Array.isArray(aud) ? (aud.length === 1 ? aud[0] : undefined) : aud;
      if (typeof sub !== 'string' || typeof clientId !== 'string') return undefined;
      return { sub, clientId, sessionId: typeof sid === 'string' ? sid : undefined };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}

/**
 * §3: the browser goes back only to a URI the client registered, compared by exact string, and only
 * when the client is known (from `client_id` or the hint).
 */
function redirectAfterLogout(
  client: ClientRecord | undefined,
  fields: Record<string, string>,
): string | undefined {
  const uri = fields.post_logout_redirect_uri;
  if (uri === undefined) return undefined;
  if (!client) {
    throw new InvalidRequest('"post_logout_redirect_uri" needs "client_id" or "id_token_hint".');
  }
  if (!(client.postLogoutRedirectUris ?? []).includes(uri)) {
    throw new InvalidRequest('The "post_logout_redirect_uri" is not registered for this client.');
  }
  const url = new URL(uri);
  if (fields.state !== undefined) url.searchParams.append('state', fields.state);
  return url.toString();
}

/** Whether the hint names this very login session: then nobody but its own client can have sent it. */
export const hintIsForSession = (
  hint: IdTokenHint | undefined,
  session: { sessionId: string; sub: string },
): boolean => hint !== undefined && hint.sessionId === session.sessionId && hint.sub === session.sub;
