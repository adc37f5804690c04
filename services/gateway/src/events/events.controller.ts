import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApplicationName, Id, type LogLine } from '@aviary/events';
import { BusClient, type Feed, type StreamedEvent } from '@aviary/messaging';
import { LOGGER } from '@aviary/runtime';
import { type FastifyReply } from 'fastify';
import { type Logger } from 'pino';
import { z } from 'zod';
import { RequireRole } from '../auth/access.js';
import { ProblemException } from '../http/problem.js';
import { eventName, resumeSequence, wanted, type EventFilter } from './event-filter.js';
import { SseStream } from './sse.js';

const EventsQuery = z.strictObject({
  application: ApplicationName.optional(),
  execution: Id.optional(),
  lastEventId: z.string().optional().describe('for clients that cannot send the Last-Event-ID header'),
});
type EventsQuery = z.infer<typeof EventsQuery>;

/** Opens a feed, or answers 503 before the stream starts when the bus cannot give one. */
async function open<T>(subscribe: () => Promise<Feed<T>>): Promise<Feed<T>> {
  try {
    return await subscribe();
  } catch (error) {
    throw new ProblemException(503, `live events are not available: ${(error as Error).message}`, undefined, {
      'retry-after': '5',
    });
  }
}

/** Pumps a feed into the stream until either ends. */
async function pump<T>(feed: Feed<T>, stream: SseStream, send: (item: T) => void): Promise<void> {
  void stream.closed.then(() => feed.close());
  for await (const item of feed) {
    if (!stream.isOpen) break;
    send(item);
  }
}

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1')
export class EventsController {
  constructor(
    private readonly bus: BusClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('events')
  @RequireRole('viewer')
  @ApiOperation({
    summary:
      'Server-sent events of executions, stages, judgments (and log lines when following one execution)',
    description:
      'Each stored event has an `id` (its position in the events stream): reconnecting with `Last-Event-ID` replays what came after it. Log lines (`event: log`) are live only and carry no id.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiOkResponse({ description: 'text/event-stream' })
  async events(
    @Query({ schema: EventsQuery }) query: EventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const filter: EventFilter = {
      ...(query.application === undefined ? {} : { application: query.application }),
      ...(query.execution === undefined ? {} : { execution: query.execution }),
    };
    const fromSequence = resumeSequence(lastEventId ?? query.lastEventId);
    const events = await open(() =>
      this.bus.subscribeEvents('aviary.evt.>', fromSequence === undefined ? {} : { fromSequence }),
    );
    let logs: Feed<LogLine> | undefined;
    if (query.execution !== undefined) {
      const execution = query.execution;
      logs = await open(() => this.bus.subscribeLogs(execution)).catch((error: unknown) => {
        events.close();
        throw error;
      });
    }
    reply.hijack();
    const stream = new SseStream(reply.raw);
    const sendEvent = ({ sequence, subject, envelope }: StreamedEvent) => {
      if (!wanted(subject, envelope, filter)) return;
      stream.send({
        id: String(sequence),
        event: eventName(envelope.type),
        data: {
          id: envelope.id,
          type: envelope.type,
          time: envelope.time,
          correlationid: envelope.correlationid,
          data: envelope.data,
        },
      });
    };
    await Promise.all([
      pump(events, stream, sendEvent),
      ...(logs ? [pump(logs, stream, (line) => stream.send({ event: 'log', data: line }))] : []),
    ]).catch((error: unknown) => this.logger.warn({ err: error }, 'event stream ended by an error'));
    logs?.close();
    events.close();
    stream.end();
  }
}
