/**
 * OAuth request parameters, wherever they came from (a query string, a form body, a carried request):
 * RFC 6749 §3.1 says each is sent at most once and an empty value is the same as an absent one.
 */
import { InvalidRequest } from '#core/errors';

/** Request parameters as RFC 6749 §3.1 treats them: each at most once, empty means absent. */
export class Parameters {
  constructor(private readonly values: Map<string, string[]>) {}

  /** From name-value pairs in request order, repeated names kept so that they can be refused. */
  static fromPairs(pairs: Iterable<readonly [string, string]>): Parameters {
    const values = new Map<string, string[]>();
    for (const [name, value] of pairs) values.set(name, [...(values.get(name) ?? []), value]);
    return new Parameters(values);
  }

  /** From a query string (`a=1&b=2`), as the carried authorization request is kept. */
  static fromQuery(query: string): Parameters {
    return Parameters.fromPairs(new URLSearchParams(query));
  }

  /** The single value of `name`; a repeated parameter is an `invalid_request`. */
  get(name: string): string | undefined {
    const list = this.values.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) throw new InvalidRequest(`The "${name}" parameter must not be repeated.`);
    return list[0] === '' ? undefined : list[0];
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new InvalidRequest(`The "${name}" parameter is required.`);
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Names that appear more than once. */
  repeated(): string[] {
    return [...this.values].filter(([, list]) => list.length > 1).map(([name]) => name);
  }

  /** Every value of `name` that is not empty, for the few parameters that may be repeated. */
  all(name: string): string[] {
    return (this.values.get(name) ?? []).filter((value) => value !== '');
  }

  /** For endpoints that refuse any repeated parameter up front (but those `allowed`), before reading any. */
  refuseRepeated(allowed: readonly string[] = []): void {
    const [first] = this.repeated().filter((name) => !allowed.includes(name));
    if (first !== undefined) throw new InvalidRequest(`The "${first}" parameter must not be repeated.`);
  }
}
