/**
 * Loading a function's handler the way Lambda does: the `handler` export of its entry module
 * (`functions[name].entry` in infra/routes.ts). Modules load on first use, so a function that does not
 * exist yet only fails the requests that need it.
 */
import { pathToFileURL } from 'node:url';
import { projectPath } from '#infra/paths';
import { type FunctionName, functions } from '#infra/routes';

export type LambdaHandler = (event: unknown, context: unknown) => unknown;

/** Loads the handler of a function by name; rejects with a message that names the function and entry. */
export type HandlerLoader = (name: string) => Promise<LambdaHandler>;

export const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(functions, name);

export const functionNames = (): string[] => Object.keys(functions);

/** The default loader: dynamic `import()` of the entry module, as the Lambda runtime would. */
export const importHandler: HandlerLoader = async (name) => {
  if (!isFunctionName(name)) throw new Error(`"${name}" is not a function of infra/routes.ts`);
  const entry = functions[name].entry;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(projectPath(entry)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Cannot load function "${name}" from ${entry}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof module.handler !== 'function') throw new Error(`${entry} has no "handler" export`);
  return module.handler as LambdaHandler;
};
