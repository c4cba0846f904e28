/** GET and POST /signout: the sign-out page. */
import { signOutEndpoint } from '#app/endpoints';

export const handler = signOutEndpoint();
