/** POST /logout: end the caller’s session. */
import { logoutEndpoint } from '#app/endpoints';

export const handler = logoutEndpoint();
