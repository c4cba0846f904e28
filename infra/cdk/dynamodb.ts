/**
 * The DynamoDB tables of functions/contract/tables.ts, and the IAM statements that give a function exactly the
 * table actions infra/routes.ts declares for it: nothing else, on nothing else.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { keyAttributeType, type TableDefinition, type TableKey, tableName, tables } from '#contract/tables';
import type { FunctionDefinition } from '#infra/function-definition';

export class TinyOAuthTables extends Construct {
  readonly byKey: Record<TableKey, Table>;

  constructor(scope: Construct, id: string, props: { tablePrefix: string }) {
    super(scope, id);
    const entries = (Object.entries(tables) as [TableKey, TableDefinition][]).map(([key, definition]) => {
      const table = new Table(this, key, {
        tableName: tableName(props.tablePrefix, key),
        partitionKey: { name: definition.partitionKey, type: attributeType(definition.partitionKey) },
        ...(definition.sortKey
          ? { sortKey: { name: definition.sortKey, type: attributeType(definition.sortKey) } }
          : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Users and clients cannot be recreated: keep them on `cdk destroy`, and refuse a deletion by
        // any other path too. Everything else expires on its own and goes with the stack.
        removalPolicy: definition.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        deletionProtection: definition.retain,
      });
      for (const index of definition.indexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: attributeType(index.partitionKey) },
          ...(index.sortKey ? { sortKey: { name: index.sortKey, type: attributeType(index.sortKey) } } : {}),
          ...(index.projection
            ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }
            : {}),
        });
      }
      return [key, table] as const;
    });
    this.byKey = Object.fromEntries(entries) as Record<TableKey, Table>;
  }

  /**
   * One statement per table the function uses: `dynamodb:<Action>` for exactly the declared actions, on
   * the table's ARN and the ARN of each declared index (`<table>/index/<name>`), never a wildcard.
   */
  statementsFor(definition: Pick<FunctionDefinition, 'tables'>): PolicyStatement[] {
    return (
      Object.entries(definition.tables) as [
        TableKey,
        { actions: readonly string[]; indexes?: readonly string[] },
      ][]
    ).map(([key, access]) => {
      const table = this.byKey[key];
      const declared = new Set<string>(tables[key].indexes?.map((index) => index.name));
      for (const index of access.indexes ?? []) {
        if (!declared.has(index))
          throw new Error(`infra/routes.ts names index "${index}", which table "${key}" does not have`);
      }
      return new PolicyStatement({
        actions: [...new Set(access.actions)].map((action) => `dynamodb:${action}`),
        resources: [
          table.tableArn,
          ...(access.indexes ?? []).map((index) => `${table.tableArn}/index/${index}`),
        ],
      });
    });
  }
}

/** The key types of the contract, which the local stack creates too, so local and cloud cannot drift. */
const attributeType = (name: string): AttributeType =>
  keyAttributeType(name) === 'N' ? AttributeType.NUMBER : AttributeType.STRING;
