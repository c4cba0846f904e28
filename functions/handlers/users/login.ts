/** POST /login: verify a password and open a session. */
import { loginEndpoint } from '#app/endpoints';

export const handler = loginEndpoint();
