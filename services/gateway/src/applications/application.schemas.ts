import { ApplicationName } from '@aviary/events';
import { z } from 'zod';
import { repositoryKey } from './repository-key.js';

export const ProviderSchema = z.enum(['github', 'gitlab', 'bitbucket', 'generic']);

const RepositoryUrl = z
  .string()
  .min(1)
  .max(2000)
  .refine(
    (value) => repositoryKey(value) !== undefined,
    'a repository address, like https://github.com/acme/orders',
  )
  .describe('the repository, as its web or clone URL');

const WebhookSecret = z
  .string()
  .min(16, 'at least 16 characters')
  .max(256)
  .describe('the secret the provider signs webhooks with (generated when not given)');

const Branch = z.string().min(1).max(255);

export const CreateApplicationBody = z.strictObject({
  name: ApplicationName.describe('lowercase letters, digits and dashes'),
  provider: ProviderSchema,
  repositoryUrl: RepositoryUrl,
  defaultBranch: Branch.default('main'),
  webhookSecret: WebhookSecret.optional(),
  buildTags: z.boolean().default(false).describe('whether tag pushes start an execution'),
});
export type CreateApplicationBody = z.infer<typeof CreateApplicationBody>;

export const UpdateApplicationBody = z
  .strictObject({
    provider: ProviderSchema,
    repositoryUrl: RepositoryUrl,
    defaultBranch: Branch,
    webhookSecret: WebhookSecret.describe('a new secret (rotation); it is not returned'),
    buildTags: z.boolean(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
export type UpdateApplicationBody = z.infer<typeof UpdateApplicationBody>;

export const ApplicationView = z.object({
  name: ApplicationName,
  provider: ProviderSchema,
  repositoryUrl: z.string(),
  defaultBranch: z.string(),
  buildTags: z.boolean(),
  webhookPath: z.string().describe('where the provider posts webhooks, on the gateway'),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ApplicationView = z.infer<typeof ApplicationView>;

export const CreatedApplicationView = ApplicationView.extend({
  webhookSecret: z.string().describe('shown this once: configure it at the provider'),
});

export const ApplicationList = z.object({ applications: z.array(ApplicationView) });
