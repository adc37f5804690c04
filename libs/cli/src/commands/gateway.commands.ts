import { type Command } from 'commander';
import { type CliIo } from '../cli-io.js';
import { EXIT, type CommandResult } from '../command-result.js';
import {
  type CredentialsSource,
  readCredentials,
  writeCredentials,
  type Credentials,
} from '../config/credentials.js';
import { GatewayError, callGateway } from './gateway-client.js';

interface ApplicationView {
  name: string;
  provider: string;
  repositoryUrl: string;
  defaultBranch: string;
  buildTags: boolean;
  webhookPath: string;
  webhookSecret?: string;
}

/** Runs a command that talks to the gateway: exit 1 with the gateway's reason, 2 when not logged in. */
async function withGateway(
  source: CredentialsSource,
  io: CliIo,
  run: (credentials: Credentials) => Promise<void>,
): Promise<number> {
  const credentials = await readCredentials(source);
  if (!credentials) {
    io.err(
      'aviary: not logged in: run `aviary login <gateway url> --token <token>` (or set AVIARY_URL and AVIARY_TOKEN)\n',
    );
    return EXIT.unreadable;
  }
  try {
    await run(credentials);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    io.err(`aviary: ${error.message}\n`);
    return EXIT.invalid;
  }
}

/** `aviary login <url> --token T`: checks the token against the gateway, then stores both. */
export function registerLogin(
  program: Command,
  io: CliIo,
  result: CommandResult,
  source: CredentialsSource,
): void {
  program
    .command('login')
    .description('Store a gateway URL and an API token for the commands that talk to the gateway.')
    .argument('<url>', 'the gateway, e.g. https://aviary.example.com')
    .requiredOption('--token <token>', 'an API token (or an OIDC token)')
    .action(async (url: string, options: { token: string }) => {
      const credentials = { url: url.replace(/\/+$/, ''), token: options.token };
      try {
        await callGateway(credentials, 'GET', '/api/v1/applications');
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        io.err(`aviary login: ${error.message}\n`);
        result.exitCode = EXIT.invalid;
        return;
      }
      await writeCredentials(source, credentials);
      io.out(`logged in to ${credentials.url}; the token is stored in ${source.file}\n`);
    });
}

export function registerApplications(
  program: Command,
  io: CliIo,
  result: CommandResult,
  source: CredentialsSource,
): void {
  const applications = program.command('applications').description('Manage applications (admin token).');

  applications
    .command('create')
    .description('Create an application and print its webhook secret (shown this once).')
    .argument('<name>', 'lowercase letters, digits and dashes')
    .requiredOption('--repository <url>', 'the repository URL')
    .requiredOption('--provider <provider>', 'github, gitlab, bitbucket or generic')
    .option('--branch <branch>', 'the default branch', 'main')
    .option('--secret <secret>', 'the webhook secret (generated when not given)')
    .option('--build-tags', 'start an execution on tag pushes too')
    .action(
      async (
        name: string,
        options: {
          repository: string;
          provider: string;
          branch: string;
          secret?: string;
          buildTags?: boolean;
        },
      ) => {
        result.exitCode = await withGateway(source, io, async (credentials) => {
          const created = (await callGateway(credentials, 'POST', '/api/v1/applications', {
            name,
            provider: options.provider,
            repositoryUrl: options.repository,
            defaultBranch: options.branch,
            buildTags: options.buildTags === true,
            ...(options.secret === undefined ? {} : { webhookSecret: options.secret }),
          })) as ApplicationView;
          io.out(
            `created ${created.name} (${created.provider}, ${created.repositoryUrl}, branch ${created.defaultBranch})\n` +
              `webhook URL:    ${credentials.url}${created.webhookPath}\n` +
              `webhook secret: ${created.webhookSecret ?? ''}\n` +
              'The secret is shown this once: configure it at the provider now.\n',
          );
        });
      },
    );

  applications
    .command('list')
    .description('List the applications.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      result.exitCode = await withGateway(source, io, async (credentials) => {
        const { applications: list } = (await callGateway(credentials, 'GET', '/api/v1/applications')) as {
          applications: ApplicationView[];
        };
        if (options.json === true) {
          io.out(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        if (list.length === 0) {
          io.out('no applications\n');
          return;
        }
        const width = Math.max(4, ...list.map((a) => a.name.length));
        io.out(`${'NAME'.padEnd(width)}  PROVIDER   BRANCH      REPOSITORY\n`);
        for (const a of list)
          io.out(
            `${a.name.padEnd(width)}  ${a.provider.padEnd(9)}  ${a.defaultBranch.padEnd(10)}  ${a.repositoryUrl}\n`,
          );
      });
    });

  applications
    .command('delete')
    .description('Delete an application.')
    .argument('<name>')
    .action(async (name: string) => {
      result.exitCode = await withGateway(source, io, async (credentials) => {
        await callGateway(credentials, 'DELETE', `/api/v1/applications/${encodeURIComponent(name)}`);
        io.out(`deleted ${name}\n`);
      });
    });
}
