/** GET and POST /account: the page where users change their name and email address. */
import { accountPageEndpoint } from '#app/passkey-endpoints';

export const handler = accountPageEndpoint();
