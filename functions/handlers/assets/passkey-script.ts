/** GET /passkey.js: the script of the passkey forms. */
import { passkeyScriptEndpoint } from '#app/passkey-script-endpoint';

export const handler = passkeyScriptEndpoint();
