/**
 * Where an integration test finds a server (NATS, PostgreSQL): the URL in its variable if set (and
 * it must answer); else the machine's default address if it answers; else a container where a
 * container runtime is reachable; else an error at once that says how to start one.
 */
export interface TestServerSources {
  /** The environment variable that names the server, for the error message. */
  variable: string;
  envUrl: string | undefined;
  defaultUrl: string;
  /** Resolves to what is wrong with the server at `url`, or undefined when it is usable. */
  probe(url: string): Promise<string | undefined>;
  /** A started server's URL, or undefined where no container runtime is reachable. */
  startContainer(): Promise<string | undefined>;
  howToStart: string;
}

export async function resolveTestServer(sources: TestServerSources): Promise<string> {
  if (sources.envUrl) {
    const problem = await sources.probe(sources.envUrl);
    if (!problem) return sources.envUrl;
    throw new Error(`${sources.variable} is set, but ${problem}.`);
  }
  if (!(await sources.probe(sources.defaultUrl))) return sources.defaultUrl;
  const containerUrl = await sources.startContainer();
  if (containerUrl) return containerUrl;
  throw new Error(sources.howToStart);
}

/** testcontainers is loaded only when a test actually needs a container. */
export async function containerRuntimeReachable(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
