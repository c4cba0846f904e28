/** POST /register: create a user. */
import { registerEndpoint } from '#app/endpoints';

export const handler = registerEndpoint();
