/**
 * GET /passkey.js, in a module of its own: the script is a 14 kB string that esbuild keeps in every
 * bundle importing this module, so only the script's own function imports it.
 */
import { createPasskeyScriptHandler } from '#adapters/endpoints/assets/passkey-script';
import { lambdaRuntime, type Runtime } from './runtime.ts';

export const passkeyScriptEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createPasskeyScriptHandler(runtime.logger);
