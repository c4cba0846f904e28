/**
 * How long files and functions are. A function's own lines are the lines it spans less the lines strictly
 * inside the functions and closures nested in it: a handler that is mostly one long callback is measured
 * where the length is, and the callback's opening and closing lines still count for the handler.
 */
import ts from 'typescript';

export interface FunctionSize {
  name: string;
  line: number;
  ownLines: number;
  /** The comment directly above says why it is long ("Long because …"). */
  excused: boolean;
}

const EXCUSE = /Long because/;

export function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

type FunctionWithBody = ts.FunctionLikeDeclaration & { body: ts.Node };

function isFunctionWithBody(node: ts.Node): node is FunctionWithBody {
  const declaration =
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node);
  return declaration && node.body !== undefined;
}

export function functionSizes(file: ts.SourceFile): FunctionSize[] {
  const lineOf = (position: number) => file.getLineAndCharacterOfPosition(position).line;
  const firstLine = (node: ts.Node) => lineOf(node.getStart(file));
  const lastLine = (node: ts.Node) => lineOf(node.getEnd());
  const ownLines = (fn: FunctionWithBody): number => {
    let lines = lastLine(fn) - firstLine(fn) + 1;
    const subtractNested = (node: ts.Node): void => {
      if (isFunctionWithBody(node)) lines -= Math.max(0, lastLine(node) - firstLine(node) - 1);
      else ts.forEachChild(node, subtractNested);
    };
    ts.forEachChild(fn, subtractNested);
    return lines;
  };
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) {
      const excused = EXCUSE.test(commentAbove(node, file));
      sizes.push({ name: nameOf(node), line: firstLine(node) + 1, ownLines: ownLines(node), excused });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sizes;
}

function nameOf(fn: FunctionWithBody): string {
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  if (fn.name) return fn.name.getText();
  const parent = fn.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText();
  }
  return '(anonymous function)';
}

/**
 * The last comment before the statement, property or member the function starts on: for
 * `export const f = () => {` that is the comment above `export`, for `it('…', () => {` the one above `it`.
 */
function commentAbove(fn: FunctionWithBody, file: ts.SourceFile): string {
  const startLine = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line;
  let anchor: ts.Node = fn;
  while (
    !ts.isSourceFile(anchor.parent) &&
    !ts.isBlock(anchor.parent) &&
    startLine(anchor.parent) === startLine(fn)
  ) {
    anchor = anchor.parent;
  }
  const comments = ts.getLeadingCommentRanges(file.text, anchor.getFullStart()) ?? [];
  const last = comments.at(-1);
  return last ? file.text.slice(last.pos, last.end) : '';
}
