/** GET and POST /signin: the hosted sign-in page. */
import { signInEndpoint } from '#app/passkey-endpoints';

export const handler = signInEndpoint();
