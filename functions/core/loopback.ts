/**
 * Loopback hosts (RFC 8252 §7.3, RFC 6761 §6.3): `localhost`, any 127.0.0.0/8 address, or `[::1]`.
 * The only hosts a plain-http redirect URI may name, and where a plain-http issuer may still set cookies.
 */
export const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
