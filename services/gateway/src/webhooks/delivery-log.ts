import { Injectable } from '@nestjs/common';
import { Database } from '@aviary/persistence';
import { GroupBatcher } from './group-batcher.js';

interface Delivery {
  provider: string;
  deliveryId: string;
}

interface Remembered extends Delivery {
  applications: string[];
  sourceAddress: string;
}

/**
 * The webhook deliveries already published (table `webhook_deliveries`), read and written in group
 * batches: under a burst, one query answers every concurrent request instead of one query each.
 */
@Injectable()
export class DeliveryLog {
  private readonly lookups = new GroupBatcher<Delivery, boolean>((deliveries) => this.lookUp(deliveries));
  private readonly writes = new GroupBatcher<Remembered, void>((deliveries) => this.write(deliveries));

  constructor(private readonly database: Database) {}

  seen(provider: string, deliveryId: string): Promise<boolean> {
    return this.lookups.submit({ provider, deliveryId });
  }

  remember(delivery: Remembered): Promise<void> {
    return this.writes.submit(delivery);
  }

  private get table(): string {
    return `"${this.database.schema}".webhook_deliveries`;
  }

  private async lookUp(deliveries: Delivery[]): Promise<boolean[]> {
    const rows = await this.database.dataSource.query<Array<{ provider: string; delivery_id: string }>>(
      `select d.provider, d.delivery_id from ${this.table} d
         join unnest($1::text[], $2::text[]) as wanted(provider, delivery_id)
           on d.provider = wanted.provider and d.delivery_id = wanted.delivery_id`,
      [deliveries.map((d) => d.provider), deliveries.map((d) => d.deliveryId)],
    );
    const found = new Set(rows.map((row) => `${row.provider}\u0000${row.delivery_id}`));
    return deliveries.map((d) => found.has(`${d.provider}\u0000${d.deliveryId}`));
  }

  private async write(deliveries: Remembered[]): Promise<void[]> {
    await this.database.dataSource.query(
      `insert into ${this.table} (provider, delivery_id, received_at, applications, source_address)
       select provider, delivery_id, now(), applications::jsonb, source_address
         from unnest($1::text[], $2::text[], $3::text[], $4::text[])
           as d(provider, delivery_id, applications, source_address)
       on conflict (provider, delivery_id) do nothing`,
      [
        deliveries.map((d) => d.provider),
        deliveries.map((d) => d.deliveryId),
        deliveries.map((d) => JSON.stringify(d.applications)),
        deliveries.map((d) => d.sourceAddress),
      ],
    );
    return deliveries.map(() => undefined);
  }
}
