/**
 * Import cycles among project files: the strongly connected components of the file import graph
 * (Tarjan), each reported as one concrete path round the cycle.
 */
import type { Import } from './imports.ts';

type Graph = Map<string, string[]>;

function graphOf(imports: readonly Import[]): Graph {
  const graph: Graph = new Map();
  for (const { file, target } of imports) {
    if (!graph.has(file)) graph.set(file, []);
    if (target.kind === 'file' && !graph.get(file)!.includes(target.path)) graph.get(file)!.push(target.path);
  }
  return graph;
}

function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    lowest.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        lowest.set(node, Math.min(lowest.get(node)!, lowest.get(next)!));
      } else if (stack.includes(next)) {
        lowest.set(node, Math.min(lowest.get(node)!, index.get(next)!));
      }
    }
    if (lowest.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== node);
    components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components;
}

/** The shortest way from `start` back to itself without leaving the component (breadth first). */
function pathRound(start: string, component: Set<string>, graph: Graph): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next) || cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      if (next === start) return unwind(cameFrom, start);
      queue.push(next);
    }
  }
  return [start];
}

function unwind(cameFrom: Map<string, string>, start: string): string[] {
  const path = [start];
  let node = cameFrom.get(start)!;
  while (node !== start) {
    path.unshift(node);
    node = cameFrom.get(node)!;
  }
  return [start, ...path];
}

/** Each cycle as the files round it, first file repeated at the end: `[a, b, a]`. */
export function importCycles(imports: readonly Import[]): string[][] {
  const graph = graphOf(imports);
  return stronglyConnected(graph)
    .filter((component) => component.length > 1 || (graph.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => pathRound([...component].sort()[0]!, new Set(component), graph));
}
