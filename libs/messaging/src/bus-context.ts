import { type Envelope } from '@aviary/events';
import { BaseRpcContext } from '@nestjs/microservices';

type BusContextArgs = [envelope: Envelope, subject: string, deliveries: number];

/** What a handler can ask about the message it handles: `@Ctx() ctx: BusContext`. */
export class BusContext extends BaseRpcContext<BusContextArgs> {
  /** The envelope as received; its `data` is the validated payload the handler got. */
  get envelope(): Envelope {
    return this.args[0];
  }

  /** Canonical subject (`aviary....`), whatever root the deployment runs under. */
  get subject(): string {
    return this.args[1];
  }

  /** 1 on the first delivery, more on redeliveries (queries: always 1). */
  get deliveries(): number {
    return this.args[2];
  }
}
