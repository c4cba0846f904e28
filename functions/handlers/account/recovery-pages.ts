/** GET and POST /verify_email, /forgot_password and /reset_password: the recovery pages. */
import { recoveryPagesEndpoint } from '#app/endpoints';

export const handler = recoveryPagesEndpoint();
