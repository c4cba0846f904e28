/**
 * The sample app's side of the authorization code flow with PKCE and state, through `oauth4webapi`
 * (standards-strict: discovery, RFC 9207 `iss` check): the code is exchanged with client_secret_basic on
 * the app's own server and the access token only ever used there, to call `/protected/resource`.
 */
import * as oauth from 'oauth4webapi';
import { SAMPLE_APP_SCOPE } from './sample-client.ts';

/** A flow in progress: what the app must keep, server side, until the browser comes back. */
export interface PendingFlow {
  verifier: string;
  state: string;
}

/** What the protected service answered, and with which token. */
export interface SignInResult {
  answer: unknown;
  scope: string | undefined;
  expiresIn: number | undefined;
}

export interface SampleOAuthOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
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

  /** Discovery on first use: tinyoauth starts listening after the sample app does. */
  private async authorizationServer(): Promise<oauth.AuthorizationServer> {
    this.metadata ??= await oauth.processDiscoveryResponse(
      this.issuer,
      await oauth.discoveryRequest(this.issuer, { algorithm: 'oauth2', ...this.insecure }),
    );
    return this.metadata;
  }

  /** Starts the flow: a PKCE verifier and state to keep, and the /authorize URL to send the browser to. */
  async start(): Promise<{ pending: PendingFlow; location: string }> {
    const as = await this.authorizationServer();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const target = new URL(as.authorization_endpoint as string);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.client.client_id,
      redirect_uri: this.options.redirectUri,
      scope: SAMPLE_APP_SCOPE,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    return { pending: { verifier, state }, location: target.toString() };
  }

  /** Finishes the flow: checks state and iss, redeems the code, calls the protected API. */
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
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      this.client,
      await oauth.authorizationCodeGrantRequest(
        as,
        this.client,
        this.clientAuth,
        params,
        this.options.redirectUri,
        pending.verifier,
        this.insecure,
      ),
    );
    const answer = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(`${this.options.issuer}/protected/resource`),
      undefined,
      undefined,
      this.insecure,
    );
    if (!answer.ok) throw new Error(`The protected resource answered ${answer.status}`);
    return { answer: await answer.json(), scope: tokens.scope, expiresIn: tokens.expires_in };
  }
}
