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

/** Changed line ranges of one file, on the head side: [first, last], sorted, not overlapping. */
export const ChangedFile = z.object({
  path: z.string().min(1),
  ranges: z.array(z.tuple([z.int().min(1), z.int().min(1)])),
});

export const GetChangedLines = defineQuery({
  path: 'builder.diff',
  description:
    'The lines added or changed between two commits of a repository, per file (the quality service measures new code with it).',
  schema: z.object({
    application: z.string().min(1),
    repository: z.string().min(1),
    base: GitSha,
    head: GitSha,
  }),
  replySchema: z.discriminatedUnion('found', [
    z.object({
      found: z.literal(true),
      files: z.array(ChangedFile),
      /** True when the diff had more files than a reply carries: the rest are left out. */
      truncated: z.boolean().default(false),
    }),
    z.object({ found: z.literal(false), reason: z.string().min(1) }),
  ]),
});
