import { describe, expect, it } from 'vitest';
import { checkRedirectUri, validateClientMetadata } from '#core/clients/metadata';
import { InvalidClientMetadata, InvalidRedirectUri } from '#core/errors';
import { SCOPES, WEB_APP } from '../../../fakes/clients.ts';

const metadataError = (body: Record<string, unknown>) => {
  try {
    validateClientMetadata(body, SCOPES);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('client metadata', () => {
  it('applies the RFC 7591 defaults: authorization_code, client_secret_basic, every supported scope', () => {
    expect(validateClientMetadata({ ...WEB_APP }, SCOPES)).toEqual({
      clientName: '',
      redirectUris: ['https://app.example.com/callback'],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write admin',
    });
  });

  it('keeps what was asked for, with scope normalised and duplicates dropped', () => {
    expect(
      validateClientMetadata(
        {
          client_name: 'My App ✓',
          redirect_uris: ['https://a.example/cb?x=1', 'http://127.0.0.1:8080/cb', 'https://a.example/cb?x=1'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
          scope: ' write  read write ',
        },
        SCOPES,
      ),
    ).toEqual({
      clientName: 'My App ✓',
      redirectUris: ['https://a.example/cb?x=1', 'http://127.0.0.1:8080/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_post',
      scope: 'write read',
    });
  });

  it('treats null members as absent and ignores unknown ones', () => {
    expect(
      validateClientMetadata(
        { ...WEB_APP, client_name: null, scope: null, logo_uri: 'https://x', software_id: 42 },
        SCOPES,
      ),
    ).toMatchObject({ clientName: '', scope: 'read write admin' });
  });

  it('accepts a client-credentials-only client without redirect URIs', () => {
    expect(
      validateClientMetadata({ grant_types: ['client_credentials'], redirect_uris: [] }, SCOPES),
    ).toEqual({
      clientName: '',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write admin',
    });
  });

  it.each([
    [{ ...WEB_APP, client_name: 42 }, 'client_name not a string'],
    [{ ...WEB_APP, client_name: 'x'.repeat(201) }, 'client_name over 200 characters'],
    [{ ...WEB_APP, client_name: 'two\nlines' }, 'client_name with a control character'],
    [{ redirect_uris: 'https://app.example.com/cb' }, 'redirect_uris not an array'],
    [{ redirect_uris: ['https://app.example.com/cb', 7] }, 'redirect_uris holding a number'],
    [
      { redirect_uris: Array.from({ length: 11 }, (_, index) => `https://a.example/${index}`) },
      'eleven redirect URIs',
    ],
    [{ ...WEB_APP, grant_types: 'authorization_code' }, 'grant_types not an array'],
    [{ ...WEB_APP, grant_types: [] }, 'no grant type'],
    [{ ...WEB_APP, grant_types: ['implicit'] }, 'implicit grant'],
    [{ ...WEB_APP, grant_types: ['password'] }, 'password grant'],
    [{ grant_types: ['refresh_token'] }, 'refresh_token without authorization_code'],
    [
      { grant_types: ['client_credentials'], redirect_uris: ['https://a.example/cb'] },
      'unused redirect URIs',
    ],
    [{ ...WEB_APP, token_endpoint_auth_method: 'private_key_jwt' }, 'unsupported auth method'],
    [{ ...WEB_APP, token_endpoint_auth_method: true }, 'auth method not a string'],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'public client with client_credentials',
    ],
    [{ ...WEB_APP, response_types: ['token'] }, 'implicit response type'],
    [{ ...WEB_APP, response_types: [] }, 'response_types disagreeing with authorization_code'],
    [{ grant_types: ['client_credentials'], response_types: ['code'] }, 'code without authorization_code'],
    [{ ...WEB_APP, scope: 'read delete' }, 'unsupported scope'],
    [{ ...WEB_APP, scope: ['read'] }, 'scope not a string'],
    [{ ...WEB_APP, scope: '   ' }, 'empty scope'],
    [{ ...WEB_APP, scope: 'read "quoted"' }, 'malformed scope token'],
  ])('refuses %j with invalid_client_metadata (%s)', (body, _why) => {
    expect(metadataError(body)).toBeInstanceOf(InvalidClientMetadata);
  });

  it.each([
    ['202E', 'RIGHT-TO-LEFT OVERRIDE'],
    ['202A', 'LEFT-TO-RIGHT EMBEDDING'],
    ['2066', 'LEFT-TO-RIGHT ISOLATE'],
    ['2067', 'RIGHT-TO-LEFT ISOLATE'],
    ['2068', 'FIRST STRONG ISOLATE'],
    ['2069', 'POP DIRECTIONAL ISOLATE'],
    ['200F', 'RIGHT-TO-LEFT MARK'],
    ['200B', 'ZERO WIDTH SPACE'],
    ['200D', 'ZERO WIDTH JOINER'],
    ['FEFF', 'ZERO WIDTH NO-BREAK SPACE'],
    ['00AD', 'SOFT HYPHEN'],
    ['2028', 'LINE SEPARATOR'],
    ['2029', 'PARAGRAPH SEPARATOR'],
    ['3164', 'HANGUL FILLER'],
    ['FE0F', 'VARIATION SELECTOR-16'],
    ['034F', 'COMBINING GRAPHEME JOINER'],
    ['2800', 'BRAILLE PATTERN BLANK'],
    ['E000', 'a private-use character'],
    ['D800', 'a lone surrogate'],
  ])('refuses a client_name holding U+%s (%s) and says why', (codePoint) => {
    const character = String.fromCharCode(Number.parseInt(codePoint, 16));
    const error = metadataError({ ...WEB_APP, client_name: `Photo${character} Printer` });
    expect(error).toBeInstanceOf(InvalidClientMetadata);
    expect((error as InvalidClientMetadata).description).toBe(
      '"client_name" must not contain invisible, formatting, direction-changing or line-separating characters.',
    );
  });

  it('keeps names in any script, emoji and ordinary spaces', () => {
    for (const name of ['Café Zürich', 'Фото принтер', 'שלום עולם', 'مرحبا', '写真プリンタ', 'My App ✓ 📷']) {
      expect(validateClientMetadata({ ...WEB_APP, client_name: name }, SCOPES).clientName).toBe(name);
    }
  });

  it.each([
    [{}, 'no redirect_uris for the default authorization_code grant'],
    [{ redirect_uris: [] }, 'an empty redirect_uris'],
    [{ redirect_uris: ['https://a.example/ok', 'http://a.example/cb'] }, 'one bad URI among good ones'],
  ])('refuses %j with invalid_redirect_uri (%s)', (body, _why) => {
    expect(metadataError(body)).toBeInstanceOf(InvalidRedirectUri);
  });
});

describe('require_pkce (RFC 9700 §2.1.1: PKCE only optional for confidential clients)', () => {
  it('is true unless a confidential client of the code grant sets it false, which is stored', () => {
    expect(validateClientMetadata({ ...WEB_APP }, SCOPES)).not.toHaveProperty('requirePkce');
    expect(validateClientMetadata({ ...WEB_APP, require_pkce: true }, SCOPES)).not.toHaveProperty(
      'requirePkce',
    );
    expect(validateClientMetadata({ ...WEB_APP, require_pkce: null }, SCOPES)).not.toHaveProperty(
      'requirePkce',
    );
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      expect(
        validateClientMetadata(
          { ...WEB_APP, token_endpoint_auth_method: method, require_pkce: false },
          SCOPES,
        ),
      ).toMatchObject({ tokenEndpointAuthMethod: method, requirePkce: false });
    }
  });

  it('lets a public client keep PKCE, and never turn it off', () => {
    const publicClient = { ...WEB_APP, token_endpoint_auth_method: 'none' };
    expect(validateClientMetadata({ ...publicClient, require_pkce: true }, SCOPES)).not.toHaveProperty(
      'requirePkce',
    );
    expect(metadataError({ ...publicClient, require_pkce: false })).toMatchObject({
      code: 'invalid_client_metadata',
      description: 'A public client (auth method "none") must use PKCE: "require_pkce" cannot be false.',
    });
  });

  it.each([
    ['a string', { ...WEB_APP, require_pkce: 'false' }, '"require_pkce" must be true or false.'],
    ['a number', { ...WEB_APP, require_pkce: 0 }, '"require_pkce" must be true or false.'],
    [
      'false without the code grant',
      { grant_types: ['client_credentials'], require_pkce: false },
      '"require_pkce" only applies to the authorization_code grant.',
    ],
  ])('refuses %s with invalid_client_metadata', (_, body, description) => {
    expect(metadataError(body)).toMatchObject({ code: 'invalid_client_metadata', description });
  });
});

describe('redirect URIs', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com:8443/cb?tenant=1&x=y',
    'https://app.example.com',
    'HTTPS://App.Example.com/Callback',
    'http://localhost/cb',
    'http://localhost:51004/cb',
    'http://127.0.0.1:8080/callback',
    'http://127.5.6.7/cb',
    'http://[::1]:3000/cb',
    'https://xn--bcher-kva.example/cb',
    `https://a.example/${'x'.repeat(2000 - 'https://a.example/'.length)}`,
  ])('accepts %s', (uri) => {
    expect(() => checkRedirectUri(uri)).not.toThrow();
  });

  it.each([
    ['/callback', 'relative'],
    ['app.example.com/callback', 'no scheme'],
    ['https:app.example.com/cb', 'no authority'],
    ['https:///cb', 'empty host'],
    ['https://app.example.com/cb#frag', 'fragment'],
    ['https://app.example.com/cb#', 'empty fragment'],
    ['https://*.example.com/cb', 'wildcard host'],
    ['https://app.example.com/*', 'wildcard path'],
    ['http://app.example.com/cb', 'http to a public host'],
    ['http://localhost.evil.example/cb', 'http to a localhost look-alike'],
    ['http://127.0.0.1.evil.example/cb', 'http to a 127 look-alike'],
    ['http://10.0.0.1/cb', 'http to a private address'],
    ['http://[::2]/cb', 'http to another IPv6 address'],
    ['ftp://files.example.com/cb', 'ftp'],
    ['javascript://alert(1)', 'javascript'],
    ['data://text/html,hi', 'data'],
    ['com.example.app://callback', 'custom scheme'],
    ['https://user:pass@app.example.com/cb', 'credentials'],
    ['https://app.example.com/c b', 'a space'],
    [' https://app.example.com/cb', 'leading whitespace'],
    ['https://app.example.com/cb\n', 'trailing newline'],
    ['https://app.example.com\\@evil.example/cb', 'a backslash'],
    ['https://bücher.example/cb', 'non-ASCII'],
    [`https://a.example/${'x'.repeat(2001 - 'https://a.example/'.length)}`, '2001 characters'],
    ['', 'empty'],
  ])('refuses %j (%s) with invalid_redirect_uri', (uri) => {
    expect(() => checkRedirectUri(uri)).toThrow(InvalidRedirectUri);
  });

  it('keeps the URI exactly as given, without normalising it', () => {
    const uri = 'HTTPS://App.Example.com:443/a/../cb?b=2&a=1';
    expect(validateClientMetadata({ redirect_uris: [uri] }, SCOPES).redirectUris).toEqual([uri]);
  });
});
