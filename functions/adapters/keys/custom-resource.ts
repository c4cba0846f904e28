/**
 * The CloudFormation custom resource that creates the first signing key at deploy time, inside AWS, so
 * that key material never appears in a template, an asset or a deployment log. CloudFormation invokes
 * the function directly and waits for the answer at the pre-signed `ResponseURL`; a function that fails
 * without answering would leave the stack waiting for an hour, so every outcome is answered.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ensureKeySet, type KeySecrets } from '#core/keys/key-secrets';
import type { SecretStore } from '#core/keys/secret-store';
import type { Logger } from '#core/logging';

export interface CustomResourceDependencies {
  store: SecretStore;
  secrets: KeySecrets;
  clock: () => number;
  logger: Logger;
  /** Sends the answer to CloudFormation; `fetch` in Lambda. */
  fetch: typeof fetch;
}

/** CloudFormation shows at most 4 KB of the reason. */
const MAX_REASON_LENGTH = 1000;

export function createKeySetResource(deps: CustomResourceDependencies) {
  return async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    // One physical resource per signing secret: a replaced secret is a new resource.
    const physicalResourceId = deps.secrets.signing;
    let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
    let reason = 'OK';
    let data: Record<string, string> = {};
    try {
      if (event.RequestType !== 'Delete') {
        const result = await ensureKeySet(deps.store, deps.secrets, Math.floor(deps.clock() / 1000));
        deps.logger.info(result.created ? 'Created the first signing keys' : 'The signing key set exists', {
          currentKeyId: result.currentKeyId,
          addedAlgorithms: result.added,
        });
        data = { CurrentKeyId: result.currentKeyId };
      }
      // Delete: the secrets are resources of their own, which CloudFormation deletes after this one.
    } catch (error) {
      status = 'FAILED';
      reason = `${(error as Error).name}: ${(error as Error).message}`.slice(0, MAX_REASON_LENGTH);
      deps.logger.error('Could not ensure the signing key set', { error });
    }
    const response = await deps.fetch(event.ResponseURL, {
      method: 'PUT',
      // The pre-signed S3 URL is signed without a content type; sending one would break the signature.
      headers: { 'Content-Type': '' },
      body: JSON.stringify({
        Status: status,
        Reason: reason,
        PhysicalResourceId: physicalResourceId,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: data,
      }),
    });
    if (!response.ok)
      throw new Error(`CloudFormation refused the custom resource response: HTTP ${response.status}`);
  };
}
