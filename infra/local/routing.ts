/**
 * Route matching as API Gateway REST APIs do it: the request path selects a resource (a literal segment
 * beats `{name}`, which beats `{proxy+}`), then the method selects one of its methods (an exact method
 * beats ANY). A resource without that method is no match at all: it does not fall back to a less specific
 * resource, and the gateway answers 405 (infra/method-not-allowed.ts).
 */
import type { RouteDefinition } from '#infra/routes';

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

export interface CompiledRoute {
  route: RouteDefinition;
  segments: Segment[];
}

export interface RouteMatch {
  route: RouteDefinition;
  /** Decoded values by parameter name; null when the resource has none, as in API Gateway's events. */
  pathParameters: Record<string, string> | null;
}

export function compileRoutes(routes: readonly RouteDefinition[]): CompiledRoute[] {
  return routes.map((route) => {
    if (!route.path.startsWith('/')) throw new Error(`Route path "${route.path}" must start with /`);
    const segments = route.path
      .slice(1)
      .split('/')
      .map((part, index, all): Segment => {
        const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(part);
        if (greedy) {
          if (index !== all.length - 1)
            throw new Error(`In "${route.path}" a greedy parameter must come last`);
          return { kind: 'greedy', name: greedy[1]! };
        }
        const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
        if (param) return { kind: 'param', name: param[1]! };
        return { kind: 'literal', value: part };
      });
    return { route, segments };
  });
}

const decode = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape is passed on as sent rather than refused; the handler validates its input.
    return raw;
  }
};

/** Per segment: 2 literal, 1 `{name}`, 0 `{proxy+}`; or undefined when the path does not fit. */
function score(
  segments: Segment[],
  parts: string[],
): { ranks: number[]; params: Record<string, string> } | undefined {
  const ranks: number[] = [];
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = parts.slice(index);
      // A greedy parameter needs at least one character: `/protected/` is not `/protected/{proxy+}`.
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[segment.name] = decode(rest.join('/'));
      ranks.push(0);
      return { ranks, params };
    }
    const part = parts[index];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal') {
      if (decode(part) !== segment.value) return undefined;
      ranks.push(2);
    } else {
      params[segment.name] = decode(part);
      ranks.push(1);
    }
  }
  return parts.length === segments.length ? { ranks, params } : undefined;
}

const moreSpecific = (a: number[], b: number[]): boolean => {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? -1) - (b[index] ?? -1);
    if (difference !== 0) return difference > 0;
  }
  return false;
};

/** The resource path API Gateway selects for `path` (the URL path, still percent-encoded), or undefined. */
export function resourceFor(compiled: readonly CompiledRoute[], path: string): ResourceMatch | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.slice(1).split('/');

  let best: { resource: string; ranks: number[]; params: Record<string, string> } | undefined;
  for (const candidate of compiled) {
    const fit = score(candidate.segments, parts);
    if (fit && (!best || moreSpecific(fit.ranks, best.ranks)))
      best = { resource: candidate.route.path, ...fit };
  }
  return best && { resource: best.resource, params: best.params };
}

export interface ResourceMatch {
  /** The resource path, as routes write it (`/client/{client_id}`). */
  resource: string;
  params: Record<string, string>;
}

/** The route for `method` and `path` (the URL path, still percent-encoded), or undefined. */
export function matchRoute(
  compiled: readonly CompiledRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const best = resourceFor(compiled, path);
  if (!best) return undefined;

  const onResource = compiled
    .filter((candidate) => candidate.route.path === best.resource)
    .map((c) => c.route);
  const route =
    onResource.find((candidate) => candidate.method === method.toUpperCase()) ??
    onResource.find((candidate) => candidate.method === 'ANY');
  if (!route) return undefined;
  return { route, pathParameters: Object.keys(best.params).length > 0 ? best.params : null };
}
