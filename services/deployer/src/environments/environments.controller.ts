import { type DataOf, GetEnvironments, type ReplyOf } from '@aviary/events';
import { BusExceptionFilter } from '@aviary/messaging';
import { Database } from '@aviary/persistence';
import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReleaseRow } from '../store/release.entity.js';
import { environmentViews } from './server-groups.js';

/** Enough history to find when each environment's production version was deployed. */
const RELEASES_READ = 500;

/** What runs where, for the UI's environments view (Spinnaker's cluster view), from the releases kept. */
@Controller()
@UseFilters(BusExceptionFilter)
export class EnvironmentsController {
  constructor(private readonly db: Database) {}

  @MessagePattern(GetEnvironments.subject)
  async environments(
    @Payload() query: DataOf<typeof GetEnvironments>,
  ): Promise<ReplyOf<typeof GetEnvironments>> {
    const rows = await this.db.dataSource.getRepository(ReleaseRow).find({
      where: { application: query.application },
      order: { createdAt: 'DESC' },
      take: RELEASES_READ,
    });
    return {
      application: query.application,
      environments: environmentViews(
        rows.map((row) => ({ release: row.release, createdAt: row.createdAt, updatedAt: row.updatedAt })),
      ),
    };
  }
}
