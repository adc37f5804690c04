import type { ResourceType } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  object: KubeObject;
  /** The object before this change (MODIFIED and DELETED), so filtered watches can tell entering from leaving. */
  previous?: KubeObject;
  resourceVersion: number;
}

/**
 * Every change, in resourceVersion order: live to subscribers, and kept in a bounded history so a watch
 * can resume from a resourceVersion. A resourceVersion older than the history answers 410 Gone.
 */
export class WatchHub {
  private readonly history: StoreEvent[] = [];
  private readonly subscribers = new Set<(event: StoreEvent) => void>();
  /** Every event after this resourceVersion is still in the history. */
  private coveredAfter = 0;

  constructor(private readonly capacity: number) {}

  publish(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.capacity) {
      const dropped = this.history.splice(0, this.history.length - this.capacity);
      this.coveredAfter = dropped.at(-1)!.resourceVersion;
    }
    for (const subscriber of [...this.subscribers]) subscriber(event);
  }

  subscribe(subscriber: (event: StoreEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** The events after `resourceVersion`, or undefined when the history no longer reaches back that far. */
  since(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.coveredAfter) return undefined;
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  oldestResumable(): number {
    return this.coveredAfter;
  }

  /** Forgets the history, as etcd compaction does: resuming from any earlier resourceVersion gets 410. */
  compact(currentResourceVersion: number): void {
    this.history.length = 0;
    this.coveredAfter = currentResourceVersion;
  }
}
