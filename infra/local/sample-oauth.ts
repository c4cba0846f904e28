/**
 * The sample app's side of OpenID Connect's authorization code flow with PKCE, state and nonce, through
 * `oauth4webapi` (standards-strict: OIDC discovery, RFC 9207 `iss` check, ID token validation): the
 * code is exchanged with client_secret_basic on the app's own server, the ID token and userinfo say who
 * signed in, and the access token is only ever used there, to call `/protected/resource`.
 */
import * as oauth from 'oauth4webapi';
import { SAMPLE_APP_SCOPE } from './sample-client.ts';

/** A flow in progress: what the app must keep, server side, until the browser comes back. */
export interface PendingFlow {
  verifier: string;
  state: string;
  nonce: string;
}

/** Who signed in, what the protected service answered, and with which token. */
export interface SignInResult {
  answer: unknown;
  scope: string | undefined;
  expiresIn: number | undefined;
  /** The validated ID token's claims and the userinfo answer. */
  idToken: oauth.IDToken;
  userInfo: oauth.UserInfoResponse;
  /** The ID token itself, kept as the `id_token_hint` of a logout. */
  idTokenHint: string;
}

export interface SampleOAuthOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export class SampleOAuthClient {
  private readonly issuer: URL;
  private readonly client: oauth.Client;
  private readonly clientAuth: oauth.ClientAuth;
  /** Plain http is only for tinyoauth on this machine; oauth4webapi refuses it unless told. */
  private readonly insecure: { [oauth.allowInsecureRequests]: boolean };
  private metadata: oauth.AuthorizationServer | undefined;

  constructor(private readonly options: SampleOAuthOptions) {
    this.issuer = new URL(options.issuer);
    this.client = { client_id: options.clientId };
    this.clientAuth = oauth.ClientSecretBasic(options.clientSecret);
    this.insecure = { [oauth.allowInsecureRequests]: this.issuer.protocol === 'http:' };
  }

  /** OpenID Connect discovery on first use: tinyoauth starts listening after the sample app does. */
  private async authorizationServer(): Promise<oauth.AuthorizationServer> {
    this.metadata ??= await oauth.processDiscoveryResponse(
      this.issuer,
      await oauth.discoveryRequest(this.issuer, { algorithm: 'oidc', ...this.insecure }),
    );
    return this.metadata;
  }

  /** Starts the flow: a PKCE verifier, state and nonce to keep, and the /authorize URL for the browser. */
  async start(): Promise<{ pending: PendingFlow; location: string }> {
    const as = await this.authorizationServer();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const target = new URL(as.authorization_endpoint as string);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.client.client_id,
      redirect_uri: this.options.redirectUri,
      scope: SAMPLE_APP_SCOPE,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    return { pending: { verifier, state, nonce }, location: target.toString() };
  }

  /** Finishes the flow: checks state and iss, redeems the code, validates the ID token, reads userinfo. */
  async finish(pending: PendingFlow, currentUrl: URL): Promise<SignInResult> {
    const as = await this.authorizationServer();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.client, currentUrl, pending.state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        throw new Error(
          `tinyoauth answered ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
        );
      }
      throw error;
    }
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      this.client,
      this.clientAuth,
      params,
      this.options.redirectUri,
      pending.verifier,
      this.insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, this.client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
    });
    const idToken = oauth.getValidatedIdTokenClaims(tokens) as oauth.IDToken;
    const userInfo = await oauth.processUserInfoResponse(
      as,
      this.client,
      idToken.sub,
      await oauth.userInfoRequest(as, this.client, tokens.access_token, this.insecure),
    );
    return {
      answer: await this.callProtectedService(tokens.access_token),
      scope: tokens.scope,
      expiresIn: tokens.expires_in,
      idToken,
      userInfo,
      idTokenHint: tokens.id_token as string,
    };
  }

  private async callProtectedService(accessToken: string): Promise<unknown> {
    const answer = await oauth.protectedResourceRequest(
      accessToken,
      'GET',
      new URL(`${this.options.issuer}/protected/resource`),
      undefined,
      undefined,
      this.insecure,
    );
    if (!answer.ok) throw new Error(`The protected resource answered ${answer.status}`);
    return answer.json();
  }

  /** RP-initiated logout: tinyoauth's end-session URL that signs the user out and comes back here. */
  async logoutLocation(idTokenHint: string): Promise<string> {
    const as = await this.authorizationServer();
    const target = new URL(as.end_session_endpoint as string);
    target.search = new URLSearchParams({
      id_token_hint: idTokenHint,
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
      state: oauth.generateRandomState(),
    }).toString();
    return target.toString();
  }
}
