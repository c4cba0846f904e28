/** GET and POST /end_session: OpenID Connect RP-initiated logout. */
import { endSessionEndpoint } from '#app/endpoints';

export const handler = endSessionEndpoint();
