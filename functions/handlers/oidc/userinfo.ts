/** GET and POST /userinfo: the OpenID Connect claims of the user an access token stands for. */
import { userInfoEndpoint } from '#app/endpoints';

export const handler = userInfoEndpoint();
