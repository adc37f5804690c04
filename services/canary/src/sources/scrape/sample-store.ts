import { type Database } from '@aviary/persistence';
import { Between } from 'typeorm';
import { ScrapeRow } from '../../store/entities.js';
import { type Side } from '../series.js';
import { type Sample } from './exposition.js';

/** Scraped samples of an analysis, kept in its schema so that a resumed analysis still has them. */
export class SampleStore {
  constructor(private readonly db: Database) {}

  async add(analysisId: string, side: Side, target: string, at: number, samples: Sample[]): Promise<void> {
    // NaN and infinities have no JSON: kept as Prometheus writes them.
    const encoded = samples.map((s) => [
      s.name,
      s.labels,
      Number.isFinite(s.value) ? s.value : String(s.value),
    ]);
    await this.db.dataSource.getRepository(ScrapeRow).insert({
      analysisId,
      side,
      target,
      scrapedAt: new Date(at),
      samples: encoded,
    });
  }

  async between(
    analysisId: string,
    side: Side,
    from: number,
    to: number,
  ): Promise<Array<{ at: number; samples: Sample[] }>> {
    const rows = await this.db.dataSource.getRepository(ScrapeRow).find({
      where: { analysisId, side, scrapedAt: Between(new Date(from), new Date(to)) },
      order: { scrapedAt: 'ASC' },
    });
    return rows.map((row) => ({
      at: row.scrapedAt.getTime(),
      samples: (row.samples as Array<[string, Record<string, string>, number | string]>).map(
        ([name, labels, value]) => ({
          name,
          labels,
          value:
            typeof value === 'number'
              ? value
              : value === 'Infinity'
                ? Infinity
                : value === '-Infinity'
                  ? -Infinity
                  : NaN,
        }),
      ),
    }));
  }

  async drop(analysisId: string): Promise<void> {
    await this.db.dataSource.getRepository(ScrapeRow).delete({ analysisId });
  }
}
