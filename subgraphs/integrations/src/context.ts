import type { SubgraphContext } from '@flowforge/runtime';
import type { ConnectionRepository } from './data/connections.js';
import type { IntegrationsService } from './services/integrations.js';

export interface Context extends SubgraphContext {
  connections: ConnectionRepository;
  integrations: IntegrationsService;
}
