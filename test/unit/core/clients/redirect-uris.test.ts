import { describe, expect, it } from 'vitest';
import { isRegisteredOrigin, isRegisteredRedirectUri } from '#core/clients/redirect-uris';

describe('registered redirect URIs', () => {
  it.each([
    ['https://app.example.com/cb', 'https://app.example.com/cb', true],
    ['https://app.example.com/cb', 'https://app.example.com/cb/', false],
    ['https://app.example.com/cb', 'https://app.example.com:443/cb', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:49152/cb', true],
    ['http://127.0.0.1:8080/cb', 'http://127.0.0.1/cb', true],
    ['http://[::1]/cb?x=1', 'http://[::1]:5000/cb?x=1', true],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:49152/other', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.2:49152/cb', false],
    ['http://localhost/cb', 'http://localhost:49152/cb', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1.evil.example:80/cb', false],
    ['https://127.0.0.1/cb', 'https://127.0.0.1:8443/cb', false],
  ])('%s admits %s: %s', (registered, requested, expected) => {
    expect(isRegisteredRedirectUri([registered], requested)).toBe(expected);
  });

  it('admits the origins of the redirect URIs, a loopback IP on any port', () => {
    const registered = ['https://app.example.com/cb', 'http://127.0.0.1/cb'];
    expect(isRegisteredOrigin(registered, 'https://app.example.com')).toBe(true);
    expect(isRegisteredOrigin(registered, 'http://127.0.0.1:3000')).toBe(true);
    expect(isRegisteredOrigin(registered, 'https://evil.example')).toBe(false);
    expect(isRegisteredOrigin(registered, 'null')).toBe(false);
  });
});
