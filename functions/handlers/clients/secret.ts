/** POST /client/{client_id}/secret: rotate a confidential client’s secret. */
import { clientSecretEndpoint } from '#app/endpoints';

export const handler = clientSecretEndpoint();
