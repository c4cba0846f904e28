/** GET and PATCH /account/profile: the caller's own profile as JSON. */
import { accountProfileEndpoint } from '#app/endpoints';

export const handler = accountProfileEndpoint();
