/** POST /password/forgot, /password/reset and /email/verify: recovery as JSON, without a session. */
import { recoveryEndpoint } from '#app/endpoints';

export const handler = recoveryEndpoint();
