import { type Logger } from 'pino';
import { type Side } from '../series.js';
import { parseExposition } from './exposition.js';
import { type SampleStore } from './sample-store.js';

export interface ScrapeTarget {
  side: Side;
  url: string;
  /** Labels every sample of the target gets, as Prometheus' service discovery would add them. */
  labels: Record<string, string>;
}

/**
 * Labels a target the way Kubernetes service discovery labels a pod, so that filter templates written
 * for Prometheus (`pod=~"${scope}.*",namespace="${location}"`) select the same instances.
 */
export function targetLabels(
  url: string,
  scope: string,
  location: string,
  application: string,
  index: number,
) {
  return {
    instance: new URL(url).host,
    job: application,
    namespace: location,
    pod: `${scope}-${index}`,
    scope,
  };
}

/**
 * Scrapes the baseline's and the canary's instances every step, keeping the samples of the metrics
 * the canary config reads.
 */
export class Scraper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly analysisId: string,
    private readonly targets: ScrapeTarget[],
    private readonly wanted: Set<string>,
    private readonly store: SampleStore,
    private readonly options: { stepMs: number; timeoutMs: number; logger: Logger },
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.scrapeAll().catch((error: unknown) =>
        this.options.logger.warn({ err: error, analysis: this.analysisId }, 'scrape failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.options.stepMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async scrapeAll(): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        const at = Date.now();
        try {
          const response = await fetch(target.url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const { samples } = parseExposition(await response.text());
          const kept = samples
            .filter((s) => this.wanted.has(s.name))
            .map((s) => ({ ...s, labels: { ...s.labels, ...target.labels } }));
          await this.store.add(this.analysisId, target.side, target.url, at, kept);
        } catch (error) {
          this.options.logger.warn({ err: error, target: target.url }, 'scrape of a target failed');
        }
      }),
    );
  }
}
