/**
 * Whether a redirect URI in a request is one the client registered. Registered URIs are compared as
 * exact strings (RFC 9700 §4.1.3) with one exception, RFC 8252 §7.3: a native app listening on a
 * loopback IP address gets whatever port the operating system hands it, so `http://127.0.0.1/cb` and
 * `http://[::1]/cb` match the same URI with any port (or none). `localhost` is not such an address
 * (RFC 8252 §8.3: it may resolve elsewhere), so it keeps exact matching.
 */

const LOOPBACK_IP = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::\d{1,5})?(?=[/?]|$)/;

/** The URI with the port of a loopback IP authority removed; any other URI as it is. */
const withoutLoopbackPort = (uri: string): string => uri.replace(LOOPBACK_IP, 'http://$1');

/** RFC 8252 §7.3: whether `uri` is http on 127.0.0.1 or [::1], the URIs whose port is not compared. */
export const isLoopbackIpUri = (uri: string): boolean => LOOPBACK_IP.test(uri);

/** Whether `requested` is one of `registered`, exactly, or but for the port of a loopback IP URI. */
export function isRegisteredRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  if (!isLoopbackIpUri(requested)) return false;
  const portless = withoutLoopbackPort(requested);
  return registered.some((uri) => isLoopbackIpUri(uri) && withoutLoopbackPort(uri) === portless);
}

/** The origin (`scheme://host[:port]`) of an absolute URL, or undefined. */
const originOf = (uri: string): string | undefined => (URL.canParse(uri) ? new URL(uri).origin : undefined);

/**
 * Whether a browser origin is the origin of one of the registered redirect URIs: the only pages a
 * public client's script can run on. A loopback IP redirect URI admits its host on any port, as above.
 */
export function isRegisteredOrigin(registered: readonly string[], origin: string): boolean {
  const origins = registered.map(originOf).filter((value): value is string => value !== undefined);
  return isRegisteredRedirectUri(origins, origin);
}
