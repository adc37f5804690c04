import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A webhook delivery that was published: a redelivery of the same id is answered "duplicate".
 * Written only after the bus acknowledged, so a delivery that failed can be redelivered.
 */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'text' })
  provider!: string;

  @PrimaryColumn({ name: 'delivery_id', type: 'text' })
  deliveryId!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'jsonb' })
  applications!: string[];

  @Column({ name: 'source_address', type: 'text' })
  sourceAddress!: string;
}
