/** /account/password, /account/totp, /account/sessions, …: the account's security as JSON. */
import { accountSecurityEndpoint } from '#app/passkey-endpoints';

export const handler = accountSecurityEndpoint();
