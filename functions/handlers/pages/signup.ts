/** GET and POST /signup: the hosted sign-up page. */
import { signUpEndpoint } from '#app/endpoints';

export const handler = signUpEndpoint();
