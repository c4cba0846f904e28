/**
 * AWS list prices the cost model uses: us-east-1, on-demand, no free tier, as published on the pages
 * named in `source`, checked on the date in `checked`. Prices change: check the pages and update the
 * numbers together with the date.
 */

export interface Price {
  usd: number;
  unit: string;
  source: string;
  checked: string;
  note?: string;
}

const CHECKED = '2026-11-24';

export const PRICES = {
  apiGatewayRestRequest: {
    usd: 3.5 / 1e6,
    unit: 'REST API request (first 333 million per month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    checked: CHECKED,
    note: '$3.50 per million; $2.80 for the next 667 million',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'Lambda invocation',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: CHECKED,
    note: '$0.20 per million',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'Lambda GB-second, arm64 (first 7.5 billion GB-s per month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: CHECKED,
    note: 'duration rounded up to 1 ms; since 1 Aug 2025 the INIT phase (cold start) is billed as well',
  },
  dynamoDbWriteRequestUnit: {
    usd: 0.625 / 1e6,
    unit: 'DynamoDB on-demand write request unit (Standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: CHECKED,
    note: '$0.625 per million, after the price cut of 1 Nov 2024',
  },
  dynamoDbReadRequestUnit: {
    usd: 0.125 / 1e6,
    unit: 'DynamoDB on-demand read request unit (Standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: CHECKED,
    note: '$0.125 per million, after the price cut of 1 Nov 2024',
  },
} as const satisfies Record<string, Price>;

/**
 * Amazon Cognito user pools (https://aws.amazon.com/cognito/pricing/, checked as above). A user counts
 * as a monthly active user (MAU) when any identity operation (sign-up, sign-in, token refresh, …)
 * concerns them in a calendar month; further operations that month cost nothing more. Client-credentials
 * (machine-to-machine) tokens are priced per successful token request, plus a monthly charge per app
 * client that is not part of the per-request comparison.
 */
export const COGNITO = {
  source: 'https://aws.amazon.com/cognito/pricing/',
  checked: CHECKED,
  essentials: {
    freeMau: 10_000,
    usdPerMau: 0.015,
  },
  /** Graduated: each tier's price applies to the MAUs within it. */
  lite: {
    freeMau: 10_000,
    tiers: [
      { upToMau: 100_000, usdPerMau: 0.0055 },
      { upToMau: 1_000_000, usdPerMau: 0.0046 },
      { upToMau: 10_000_000, usdPerMau: 0.00325 },
      { upToMau: Number.POSITIVE_INFINITY, usdPerMau: 0.0025 },
    ],
  },
  /** First tier of the graduated price per client-credentials token request. */
  m2mTokenRequest: { usd: 2.25 / 1000, note: '$2.25 per 1,000 token requests (first tier)' },
} as const;

/** Cognito's price for `mau` monthly active users in one month. */
export function cognitoMauCost(plan: 'essentials' | 'lite', mau: number): number {
  if (plan === 'essentials')
    return Math.max(0, mau - COGNITO.essentials.freeMau) * COGNITO.essentials.usdPerMau;
  let cost = 0;
  let lower: number = COGNITO.lite.freeMau;
  for (const tier of COGNITO.lite.tiers) {
    if (mau <= lower) break;
    cost += (Math.min(mau, tier.upToMau) - lower) * tier.usdPerMau;
    lower = tier.upToMau;
  }
  return cost;
}
