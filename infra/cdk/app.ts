/** `cdk.json`'s app: `npx tsx infra/cdk/app.ts`. */
import { createApp } from './create-app.ts';

createApp().app.synth();
