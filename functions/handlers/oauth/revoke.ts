/** POST /revoke: RFC 7009 revocation. */
import { revokeEndpoint } from '#app/endpoints';

export const handler = revokeEndpoint();
