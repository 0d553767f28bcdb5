import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE_DEFINITION, TABLE_DEFINITION } from '../../lib/contract/table.js';

export interface ExecutionTableProps {
  /** Refuse `DeleteTable` (and keep the tables when the stack is deleted). Default: true. */
  readonly deletionProtection?: boolean;
}

/**
 * The engine's table and the idempotency table, built from the same definition local mode
 * and the tests create (`lib/adapters/dynamodb/table-definition.ts`): on-demand, point-in-time
 * recovery, TTL, and a stream of new and old images.
 */
export class ExecutionTable extends Construct {
  readonly table: ITable;
  readonly idempotencyTable: ITable;

  constructor(scope: Construct, id: string, props: ExecutionTableProps = {}) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? true;
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection,
      removalPolicy: deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    };
    const { partitionKey, sortKey, indexes, timeToLiveAttribute } = TABLE_DEFINITION;
    const table = new Table(this, 'Table', {
      ...common,
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      timeToLiveAttribute,
      // The outbox the domain events are published from (DomainEventOutbox).
      stream: StreamViewType[TABLE_DEFINITION.streamViewType],
    });
    for (const index of Object.values(indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
    this.table = table;
    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      ...common,
      partitionKey: { name: IDEMPOTENCY_TABLE_DEFINITION.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE_DEFINITION.timeToLiveAttribute,
    });
  }
}
