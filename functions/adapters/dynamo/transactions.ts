/**
 * A transaction retried while it only collides with another one on the same item. DynamoDB cancels a
 * TransactWriteItems that touches an item another transaction is writing (`TransactionConflict`); the
 * retry then meets the other's result and its conditions decide. Without retries, a burst on one item
 * (a hundred registrations by one owner, twenty refreshes of one token) fails most of its requests.
 */
import { cancellationReasons, type DynamoDb } from '#adapters/aws/dynamodb';
import { type TransactAction, transactWrite } from './requests.ts';

const MAX_ATTEMPTS = 8;

export const isTransactionConflict = (error: unknown): boolean =>
  (cancellationReasons(error) ?? []).some((reason) => reason.Code === 'TransactionConflict');

/** Runs the transaction, again after a jittered pause (up to ~2 s in all) as long as it only conflicted. */
export async function transactWriteWithRetries(db: DynamoDb, actions: TransactAction[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(db, actions);
      return;
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      const ceiling = Math.min(500, 25 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
