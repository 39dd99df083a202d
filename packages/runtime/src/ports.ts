/** Fixed local ports of the embedded stack; FLOWFORGE_PORT_BASE shifts them all (tests run a second stack). */
export const SERVICE_OFFSETS = {
  gateway: 0,
  orgs: 1,
  focus: 2,
  habits: 3,
  calendar: 4,
  insights: 5,
  integrations: 6,
} as const;

export type ServiceName = keyof typeof SERVICE_OFFSETS;
export type SubgraphName = Exclude<ServiceName, 'gateway'>;
export const SUBGRAPH_NAMES = Object.keys(SERVICE_OFFSETS).filter((name) => name !== 'gateway') as SubgraphName[];

export function portBase(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.FLOWFORGE_PORT_BASE ?? 4000);
}

export function servicePort(service: ServiceName, env: NodeJS.ProcessEnv = process.env): number {
  const explicit = env.PORT && env.FLOWFORGE_SERVICE === service ? Number(env.PORT) : undefined;
  return explicit ?? portBase(env) + SERVICE_OFFSETS[service];
}

/** Where the gateway finds a subgraph: `<NAME>_URL` (e.g. FOCUS_URL) or the local default port. */
export function subgraphUrl(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): string {
  return env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${portBase(env) + SERVICE_OFFSETS[name]}/graphql`;
}
