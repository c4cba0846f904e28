import { describe, expect, it } from 'vitest';
import { discoveryDocument } from '#core/oidc/discovery';

describe('the discovery document', () => {
  const document = discoveryDocument({
    issuer: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1',
    scopesSupported: ['read'],
  });

  it('has every member OpenID Connect Discovery 1.0 §3 requires, below the issuer and its path', () => {
    const at = (path: string) => `https://abc.execute-api.eu-west-1.amazonaws.com/v1${path}`;
    expect(document).toMatchObject({
      issuer: at(''),
      authorization_endpoint: at('/authorize'),
      token_endpoint: at('/token'),
      userinfo_endpoint: at('/userinfo'),
      jwks_uri: at('/.well-known/jwks.json'),
      registration_endpoint: at('/client'),
      end_session_endpoint: at('/end_session'),
      revocation_endpoint: at('/revoke'),
      introspection_endpoint: at('/introspect'),
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      scopes_supported: ['read', 'openid', 'profile', 'email'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      prompt_values_supported: ['none', 'login', 'consent'],
    });
  });

  it('claims every claim an ID token or userinfo can carry', () => {
    expect(document.claims_supported).toEqual(
      expect.arrayContaining([
        'sub',
        'auth_time',
        'nonce',
        'amr',
        'sid',
        'at_hash',
        'preferred_username',
        'name',
        'updated_at',
        'email',
        'email_verified',
      ]),
    );
  });

  it('never advertises what is refused: no implicit flow, no unsigned ID tokens, no request objects', () => {
    expect(document.response_types_supported).not.toContain('id_token');
    expect(document.id_token_signing_alg_values_supported).not.toContain('none');
    expect(document.request_parameter_supported).toBe(false);
  });
});
