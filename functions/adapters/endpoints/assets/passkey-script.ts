import { httpHandler } from '#adapters/http/handler';
import { passkeyScript } from '#adapters/web/scripts/passkey-script';
import { MethodNotAllowed } from '#core/errors';
import type { Logger } from '#core/logging';

/**
 * GET /passkey.js: the passkey forms' script (adapters/web/scripts). The same bytes for everyone, so
 * it is cacheable; `nosniff`, so that it runs only as the script the pages name.
 */
export const createPasskeyScriptHandler = (logger: Logger) => {
  const script = passkeyScript();
  return httpHandler(
    async (request) => {
      if (request.method !== 'GET') throw new MethodNotAllowed('Use GET.');
      return {
        status: 200,
        body: script,
        headers: {
          'Content-Type': 'text/javascript; charset=utf-8',
          'Cache-Control': 'public, max-age=300',
          'X-Content-Type-Options': 'nosniff',
          'Cross-Origin-Resource-Policy': 'same-origin',
        },
      };
    },
    { logger },
  );
};
