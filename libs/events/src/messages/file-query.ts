import { z } from 'zod';
import { defineQuery } from '../contract.js';
import { GitSha } from './common.js';

export const ReadRepositoryFile = defineQuery({
  path: 'builder.read-file',
  description:
    'Read one file of a repository at a commit (the orchestrator reads .aviary/pipeline.yaml with it).',
  schema: z.object({
    application: z.string().min(1),
    repository: z.string().min(1),
    sha: GitSha,
    path: z.string().min(1).max(1024),
  }),
  replySchema: z.discriminatedUnion('found', [
    z.object({ found: z.literal(true), content: z.string(), size: z.int().min(0) }),
    z.object({ found: z.literal(false), reason: z.string().min(1) }),
  ]),
});
