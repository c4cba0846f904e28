/** What a browser keeps and reads for one site: its cookies, and the hidden fields of a page's form. */

interface StoredCookie {
  name: string;
  path: string;
  value: string;
  attributes: string[];
}

/**
 * Cookies as a browser keeps them for one site (RFC 6265): one per name and path, set by Set-Cookie,
 * removed by Max-Age=0, and sent only to request paths their path matches, longest path first.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Keeps what the `Set-Cookie` lines of one response say, in order. */
  store(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const path = attributes.find((attribute) => attribute.startsWith('Path='))?.slice(5) ?? '/';
      const key = `${name}\u0000${path}`;
      if (attributes.includes('Max-Age=0')) this.cookies.delete(key);
      else this.cookies.set(key, { name, path, value: pair.slice(at + 1), attributes });
    }
  }

  /** The Cookie header a request to `path` carries, or undefined when no cookie applies. */
  header(path: string): string | undefined {
    const sent = [...this.cookies.values()]
      .filter((cookie) => pathMatches(cookie.path, path))
      .sort((a, b) => b.path.length - a.path.length);
    if (sent.length === 0) return undefined;
    return sent.map(({ name, value }) => `${name}=${value}`).join('; ');
  }

  /** The value of a cookie of this name on any path (tinyoauth sets the same value on each). */
  value(name: string): string | undefined {
    return this.named(name)[0]?.value;
  }

  /** Every cookie of this name, one per path. */
  named(name: string): StoredCookie[] {
    return [...this.cookies.values()].filter((cookie) => cookie.name === name);
  }

  /** Forgets every cookie of this name, as if the browser had discarded it. */
  forget(name: string): void {
    for (const cookie of this.named(name)) this.cookies.delete(`${name}\u0000${cookie.path}`);
  }
}

/** RFC 6265 §5.1.4: the paths are equal, or the request continues the cookie path after a `/`. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

const UNESCAPES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' };
export const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_, name) => UNESCAPES[name]!);

/** The hidden fields of the page's form, in order, unescaped. */
export function hiddenFields(page: string): [string, string][] {
  return [...page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(
    (match) => [unescapeHtml(match[1]!), unescapeHtml(match[2]!)] as [string, string],
  );
}
