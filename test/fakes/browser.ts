/** What a browser keeps and reads for one site: its cookies, and the hidden fields of a page's form. */

/** Cookies as a browser keeps them for one site: set by Set-Cookie, removed by Max-Age=0. */
export class CookieJar {
  readonly cookies = new Map<string, { value: string; attributes: string[] }>();

  /** Keeps what the `Set-Cookie` lines of one response say. */
  store(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      if (attributes.includes('Max-Age=0')) this.cookies.delete(name);
      else this.cookies.set(name, { value: pair.slice(at + 1), attributes });
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }

  value(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }
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
