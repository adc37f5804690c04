import { parseArgs } from 'node:util';
import { z } from 'zod';

const CliOptions = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(6443),
  host: z.string().default('127.0.0.1'),
  podReadyDelayMs: z.coerce.number().int().min(0).default(1000),
  failingImages: z.string().optional(),
  crashingImages: z.string().optional(),
  unreadyImages: z.string().optional(),
  kubeconfig: z.string().optional(),
});

export type CliOptions = z.infer<typeof CliOptions>;

export const USAGE = `usage: node test/kube-apiserver/dist/main.js [--port 6443] [--host 127.0.0.1]
  [--pod-ready-delay-ms 1000] [--failing-images REGEX] [--crashing-images REGEX] [--unready-images REGEX]
  [--kubeconfig FILE]   (write a kubeconfig for kubectl there; printed otherwise)`;

/** The command line of the standalone server, checked. */
export function parseCliOptions(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'pod-ready-delay-ms': { type: 'string' },
      'failing-images': { type: 'string' },
      'crashing-images': { type: 'string' },
      'unready-images': { type: 'string' },
      kubeconfig: { type: 'string' },
    },
  });
  return CliOptions.parse({
    port: values.port,
    host: values.host,
    podReadyDelayMs: values['pod-ready-delay-ms'],
    failingImages: values['failing-images'],
    crashingImages: values['crashing-images'],
    unreadyImages: values['unready-images'],
    kubeconfig: values.kubeconfig,
  });
}
