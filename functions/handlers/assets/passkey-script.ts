/** GET /passkey.js: the script of the passkey forms. */
import { passkeyScriptEndpoint } from '#app/endpoints-without-dynamodb';

export const handler = passkeyScriptEndpoint();
