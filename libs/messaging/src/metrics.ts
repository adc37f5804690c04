import { metricOnce } from '@aviary/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

interface SubjectMetrics {
  received: Counter.Internal;
  handled: Counter.Internal;
  failed: Counter.Internal;
  duration: Histogram.Internal<'subject'>;
  published: Counter.Internal;
}

/**
 * The bus's metrics on the service's registry. Label children are cached per subject because
 * resolving labels on every message shows up in the hot path.
 */
export class BusMetrics {
  private readonly received: Counter<'subject'>;
  private readonly handled: Counter<'subject'>;
  private readonly failed: Counter<'subject'>;
  private readonly deadLettered: Counter<'subject' | 'reason'>;
  private readonly duration: Histogram<'subject'>;
  private readonly published: Counter<'subject'>;
  private readonly duplicates: Counter<'subject'>;
  private readonly connected: Gauge;
  private readonly bySubject = new Map<string, SubjectMetrics>();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.received = metricOnce(
      registry,
      'aviary_bus_messages_received_total',
      () =>
        new Counter({
          name: 'aviary_bus_messages_received_total',
          help: 'Messages (commands, events, queries) delivered to this service',
          labelNames: ['subject'],
          registers,
        }),
    );
    this.handled = metricOnce(
      registry,
      'aviary_bus_messages_handled_total',
      () =>
        new Counter({
          name: 'aviary_bus_messages_handled_total',
          help: 'Messages whose handler succeeded',
          labelNames: ['subject'],
          registers,
        }),
    );
    this.failed = metricOnce(
      registry,
      'aviary_bus_messages_failed_total',
      () =>
        new Counter({
          name: 'aviary_bus_messages_failed_total',
          help: 'Handler attempts that threw (each is retried or dead-lettered)',
          labelNames: ['subject'],
          registers,
        }),
    );
    this.deadLettered = metricOnce(
      registry,
      'aviary_bus_messages_dead_lettered_total',
      () =>
        new Counter({
          name: 'aviary_bus_messages_dead_lettered_total',
          help: 'Messages moved to the dead-letter stream, by reason',
          labelNames: ['subject', 'reason'],
          registers,
        }),
    );
    this.duration = metricOnce(
      registry,
      'aviary_bus_handler_duration_seconds',
      () =>
        new Histogram({
          name: 'aviary_bus_handler_duration_seconds',
          help: 'Time spent in message handlers',
          labelNames: ['subject'],
          buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60, 300, 1800],
          registers,
        }),
    );
    this.published = metricOnce(
      registry,
      'aviary_bus_messages_published_total',
      () =>
        new Counter({
          name: 'aviary_bus_messages_published_total',
          help: 'Commands and events published by this service',
          labelNames: ['subject'],
          registers,
        }),
    );
    this.duplicates = metricOnce(
      registry,
      'aviary_bus_publish_duplicates_total',
      () =>
        new Counter({
          name: 'aviary_bus_publish_duplicates_total',
          help: 'Publishes dropped by the stream as duplicates of an envelope id already stored',
          labelNames: ['subject'],
          registers,
        }),
    );
    this.connected = metricOnce(
      registry,
      'aviary_bus_connected',
      () =>
        new Gauge({
          name: 'aviary_bus_connected',
          help: '1 while the bus is connected and its streams and consumers exist, 0 otherwise',
          registers,
        }),
    );
  }

  private of(subject: string): SubjectMetrics {
    let metrics = this.bySubject.get(subject);
    if (!metrics) {
      metrics = {
        received: this.received.labels(subject),
        handled: this.handled.labels(subject),
        failed: this.failed.labels(subject),
        duration: this.duration.labels(subject),
        published: this.published.labels(subject),
      };
      this.bySubject.set(subject, metrics);
    }
    return metrics;
  }

  messageReceived(subject: string): void {
    this.of(subject).received.inc();
  }

  messageHandled(subject: string, seconds: number): void {
    const metrics = this.of(subject);
    metrics.handled.inc();
    metrics.duration.observe(seconds);
  }

  handlerFailed(subject: string, seconds: number): void {
    const metrics = this.of(subject);
    metrics.failed.inc();
    metrics.duration.observe(seconds);
  }

  messageDeadLettered(subject: string, reason: string): void {
    this.deadLettered.labels(subject, reason).inc();
  }

  messagePublished(subject: string, duplicate: boolean): void {
    this.of(subject).published.inc();
    if (duplicate) this.duplicates.labels(subject).inc();
  }

  setConnected(connected: boolean): void {
    this.connected.set(connected ? 1 : 0);
  }
}
