import { startDatabaseSubgraph, type Logger, type RunningHttpServer, type StartOptions } from '@flowforge/runtime';
import type { Context } from './context.js';
import { ConnectionRepository } from './data/connections.js';
import { PrismaClient } from './generated/prisma/client.js';
import { oauthCallbackRoute, webhookRoute } from './http/routes.js';
import { resolvers } from './resolvers/index.js';
import { IntegrationsApp } from './services/app.js';
import { IntegrationsService } from './services/integrations.js';

export async function startIntegrationsSubgraph(options: StartOptions = {}): Promise<RunningHttpServer> {
  // The OAuth callback and webhook routes are served beside /graphql; they need the services built in setup.
  let app: IntegrationsApp | undefined;
  let log: Logger | undefined;
  const running = await startDatabaseSubgraph<Context, PrismaClient>({
    name: 'integrations',
    root: new URL('..', import.meta.url),
    resolvers: resolvers as never,
    createClient: (adapter) => new PrismaClient({ adapter }),
    routes: [oauthCallbackRoute(() => app, () => log), webhookRoute(() => app, () => log)],
    async setup(db, tools) {
      log = tools.log;
      app = new IntegrationsApp(db, { env: tools.env, log: tools.log, events: tools.events });
      await app.subscribe();
      app.startBackground();
      const connections = new ConnectionRepository(db);
      const integrations = new IntegrationsService(connections, app);
      return (base) => ({ ...base, connections, integrations });
    },
  }, options);
  return {
    ...running,
    async close() {
      await app?.close();
      await running.close();
    },
  };
}
