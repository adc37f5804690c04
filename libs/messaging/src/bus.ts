import { type CustomTransportStrategy, type Server } from '@nestjs/microservices';
import { type BusClient } from './bus-client.js';

export interface BusHealth {
  ready: boolean;
  detail: string;
}

/** One service's connection to the message bus: a Nest transport strategy and a client sharing it. */
export interface Bus {
  /** `app.connectMicroservice({ strategy: bus.server })`. */
  readonly server: Server & CustomTransportStrategy;
  /** Provide it in Nest modules (`{ provide: BusClient, useValue: bus.client }`). */
  readonly client: BusClient;
  /** For `/health` readiness. */
  health(): BusHealth;
  /** Closes the server (draining in-flight handlers) and the connection. Idempotent. */
  close(): Promise<void>;
}
