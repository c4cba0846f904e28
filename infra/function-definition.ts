/**
 * What infra/routes.ts says of each Lambda function: its entry, its table actions (the IAM policy, least
 * privilege), key access, memory, and whether browsers send it the session cookie.
 */
import type { TableKey } from '#contract/tables';

/** DynamoDB actions as IAM names them (a transaction is authorised per contained action). */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'ConditionCheckItem';

export interface FunctionDefinition {
  /** Entry module, relative to the project root; it exports `handler`. */
  entry: string;
  description: string;
  /** The tables this function touches and the actions it performs on each; `indexes` for Query on a GSI. */
  tables: Partial<Record<TableKey, { actions: TableAction[]; indexes?: string[] }>>;
  /** `sign`: reads private keys; `publish`: needs only public keys; absent: no key access. */
  keys?: 'sign' | 'publish';
  /** scrypt with OWASP parameters needs 128 MiB for itself; such functions get more memory (and CPU). */
  memoryMB?: number;
  /**
   * Sends account mail: given the sender (MAIL_FROM) and `ses:SendEmail` on the SES identity and
   * configuration set of the construct's `mail` prop, and nothing else of SES.
   */
  mail?: true;
  /**
   * Serves browser pages and reads the session cookie. The cookie is sent only to the paths of
   * functions/contract/pages.ts, so every route of such a function must be one of them (a test checks).
   */
  pages?: true;
  /**
   * Served below a page path without being a page: browsers send it the session cookie too (a cookie's
   * `Path` covers every path below it), and it must never read it. It takes bearer tokens only, so the
   * cookie is no credential there and needs no CSRF defence (a test checks). Declared, so that no
   * function below a page receives the cookie unnoticed.
   */
  ignoresSessionCookie?: true;
}
