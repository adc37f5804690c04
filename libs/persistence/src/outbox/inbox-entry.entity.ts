import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A message a consumer has handled, recorded in the transaction of its effects. */
@Entity({ name: 'inbox' })
@Index('inbox_handled_at', ['handledAt'])
export class InboxEntry {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ name: 'message_id', type: 'text' })
  messageId!: string;

  @Column({ name: 'handled_at', type: 'timestamptz', default: () => 'now()' })
  handledAt!: Date;
}
