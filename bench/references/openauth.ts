/**
 * A peer: openauth's issuer (password sign-in with its own UI) over its DynamoDB storage, as a Lambda
 * handler through Hono's adapter, which is how openauth documents a Lambda deployment.
 */
import { issuer } from '@openauthjs/openauth';
import { PasswordProvider } from '@openauthjs/openauth/provider/password';
import { DynamoStorage } from '@openauthjs/openauth/storage/dynamo';
import { createSubjects } from '@openauthjs/openauth/subject';
import { PasswordUI } from '@openauthjs/openauth/ui/password';
import { handle } from 'hono/aws-lambda';

/** A Standard Schema validator written out, so that no schema library is measured with the peer. */
const userSchema = {
  '~standard': {
    version: 1 as const,
    vendor: 'bench',
    validate: (value: unknown) => ({ value: value as { id: string } }),
  },
};

const subjects = createSubjects({ user: userSchema });

const app = issuer({
  subjects,
  storage: DynamoStorage({ table: process.env.OPENAUTH_TABLE ?? 'openauth' }),
  providers: {
    password: PasswordProvider(PasswordUI({ sendCode: async () => {} })),
  },
  success: async (ctx, value) => ctx.subject('user', { id: value.email }),
});

export const handler = handle(app);
