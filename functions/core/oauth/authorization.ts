/**
 * The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, RFC 9207, RFC 9700 §2.1), in the order the
 * RFCs imply: first establish the client and the redirect URI (errors go to the user, never to an
 * unverified URI); then validate the request (errors may go to the client, but by redirect only once
 * the user has signed in: RFC 9700 §4.11.2, adapters/endpoints/oauth/authorize.ts); then require a
 * logged-in user; then issue a short-lived, single-use code bound to everything it was issued for.
 */

import {
  type ClientLookup,
  type ClientRecord,
  isClientIdentifier,
  pkceRequired,
} from '#core/clients/records';
import { isRegisteredRedirectUri } from '#core/clients/redirect-uris';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest, UnauthorizedClient, UnknownClient, UnsupportedResponseType } from '#core/errors';
import {
  authTime,
  type OpenIdParameters,
  openIdParameters,
  PASSWORD_AMR,
  signInTooOld,
} from '#core/oidc/authentication-request';
import { requestedScope } from '#core/oidc/claims';
import { randomSecret, sha256 } from '#core/secrets';
import type { SessionRecord } from '#core/users/records';
import type { GrantStore } from './grant-store.ts';
import type { Parameters } from './parameters.ts';
import { type ClientReadAhead, type ReadAhead, ReadAheadClients } from './read-ahead.ts';
import type { CodeRecord } from './records.ts';
import type { ResourceIndicators } from './resource-indicators.ts';

/** Where errors and the code may be sent, once the client and its redirect URI are verified. */
export interface RedirectTarget {
  client: ClientRecord;
  redirectUri: string;
  /** Whether the request named the redirect URI (the token request must then repeat it). */
  redirectUriSent: boolean;
  /** `state`, when present exactly once: echoed on every redirect. */
  state: string | undefined;
}

export interface ValidatedRequest extends RedirectTarget {
  scope: string;
  /** RFC 8707: the identifiers of the resource servers the grant is for. */
  resources: string[];
  /** Absent only for a client exempt from PKCE that sent no challenge (`pkceRequired`). */
  codeChallenge?: string;
  /** OpenID Connect's `nonce` and `max_age`, when sent. */
  openId: OpenIdParameters;
}

/** S256 challenges are base64url SHA-256 digests: exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * PKCE (RFC 7636), S256 only. A confidential client registered without PKCE may send no challenge at
 * all (RFC 9700 §2.1.1); one it sends is held to the same rules, and its code to the verifier.
 */
function codeChallengeOf(params: Parameters, client: ClientRecord): string | undefined {
  const codeChallenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (codeChallenge === undefined) {
    if (pkceRequired(client)) throw new InvalidRequest('PKCE is required: send "code_challenge".');
    if (method === undefined) return undefined;
    throw new InvalidRequest('"code_challenge_method" was sent without a "code_challenge".');
  }
  if (method !== 'S256') {
    throw new InvalidRequest('"code_challenge_method" must be S256 (plain is not accepted).');
  }
  if (!S256_CHALLENGE.test(codeChallenge)) {
    throw new InvalidRequest('"code_challenge" must be a base64url SHA-256 digest (43 characters).');
  }
  return codeChallenge;
}

export interface AuthorizationDependencies {
  clients: ClientReadAhead;
  grants: GrantStore;
  clock: Clock;
  issuer: string;
  codeTtlSeconds: number;
  resources: ResourceIndicators;
}

export class Authorization {
  constructor(private readonly deps: AuthorizationDependencies) {}

  /** This request's client lookup, reading `ahead` (the user's session) with the client in one round trip. */
  clientsReadingAhead(ahead: ReadAhead | undefined): ReadAheadClients {
    return new ReadAheadClients(this.deps.clients, ahead);
  }

  /**
   * Step 1. Any error here is answered directly (400), because the redirect URI is not trusted yet.
   * `clients`: this request's lookup when it reads the user's session with the client (read-ahead.ts).
   */
  async redirectTarget(
    params: Parameters,
    clients: ClientLookup = this.deps.clients,
  ): Promise<RedirectTarget> {
    const clientId = params.get('client_id');
    if (clientId === undefined) throw new UnknownClient('The "client_id" parameter is required.');
    // A client_id of impossible shape is never read (nor is anything read ahead with it).
    const client = isClientIdentifier(clientId) ? await clients.findClient(clientId) : undefined;
    if (!client) throw new UnknownClient('The client is not registered.', { detail: 'unknown client_id' });
    // A suspended client's users are not sent back to it: nothing it asks for could be granted.
    if (client.suspendedAt !== undefined) {
      throw new UnknownClient('The client is not registered.', { detail: 'client suspended' });
    }

    const requested = params.get('redirect_uri');
    let redirectUri: string;
    if (requested !== undefined) {
      // Exact string comparison (RFC 9700 §4.1.3), but for a loopback IP's port (RFC 8252 §7.3).
      if (!isRegisteredRedirectUri(client.redirectUris, requested)) {
        throw new InvalidRequest('The "redirect_uri" is not registered for this client.', {
          detail: 'redirect mismatch',
        });
      }
      redirectUri = requested;
    } else if (client.redirectUris.length === 1) {
      redirectUri = client.redirectUris[0] as string;
    } else {
      throw new InvalidRequest('The "redirect_uri" parameter is required for this client.');
    }
    let state: string | undefined;
    try {
      state = params.get('state');
    } catch {
      state = undefined; // repeated: reported by validate(), but never echoed
    }
    return { client, redirectUri, redirectUriSent: requested !== undefined, state };
  }

  /** Step 2. Errors from here on may be sent to the verified redirect URI (redirected once signed in). */
  validate(params: Parameters, target: RedirectTarget): ValidatedRequest {
    // RFC 8707 §2.1: `resource` may be sent once per resource server the client wants tokens for.
    params.refuseRepeated(['resource']);
    if (params.has('client_secret')) {
      throw new InvalidRequest('Client secrets are never sent to the authorization endpoint.');
    }

    const responseType = params.get('response_type');
    if (responseType === undefined) throw new InvalidRequest('The "response_type" parameter is required.');
    if (responseType !== 'code') throw new UnsupportedResponseType('Only response_type=code is supported.');
    if (!target.client.grantTypes.includes('authorization_code')) {
      throw new UnauthorizedClient('This client is not registered for the authorization code grant.');
    }

    const codeChallenge = codeChallengeOf(params, target.client);
    const servers = this.deps.resources.requested(params.all('resource'), target.client);
    const scope = requestedScope(
      params.get('scope'),
      this.deps.resources.allowedScope(target.client, servers),
    );
    return {
      ...target,
      scope,
      resources: servers.map((server) => server.identifier),
      ...(codeChallenge === undefined ? {} : { codeChallenge }),
      openId: openIdParameters(params),
    };
  }

  /** OpenID Connect `max_age`: whether the session's sign-in is too old for this request. */
  signInTooOld(request: ValidatedRequest, session: SessionRecord): boolean {
    return signInTooOld(request.openId, session, epochSeconds(this.deps.clock));
  }

  /** Step 3. The code is returned once, in the redirect; only its hash is stored. */
  async issueCode(request: ValidatedRequest, session: SessionRecord): Promise<string> {
    const now = epochSeconds(this.deps.clock);
    const code = randomSecret();
    const record: CodeRecord = {
      codeHash: sha256(code),
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      sub: session.sub,
      sessionId: session.sessionId,
      scope: request.scope,
      resources: request.resources,
      ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
      createdAt: now,
      expiresAt: now + this.deps.codeTtlSeconds,
      ...(request.openId.nonce === undefined ? {} : { nonce: request.openId.nonce }),
      authTime: authTime(session),
      amr: [...(session.amr ?? PASSWORD_AMR)],
    };
    await this.deps.grants.putCode(record);
    return this.redirectLocation(request, { code });
  }

  /** The redirect URI with the response parameters added to its own query (RFC 6749 §3.1.2), plus `state` and `iss`. */
  redirectLocation(
    target: Pick<RedirectTarget, 'redirectUri' | 'state'>,
    parameters: Record<string, string>,
  ): string {
    const url = new URL(target.redirectUri);
    for (const [name, value] of Object.entries(parameters)) url.searchParams.append(name, value);
    if (target.state !== undefined) url.searchParams.append('state', target.state);
    url.searchParams.append('iss', this.deps.issuer);
    return url.toString();
  }
}
