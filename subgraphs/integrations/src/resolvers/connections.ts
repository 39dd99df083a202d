import { requireMember } from '@flowforge/runtime';
import type { ExternalTaskResolvers, IntegrationConflictResolvers, MutationResolvers, ProviderConnectionResolvers } from '../generated/graphql.js';

export const connectionMutations: MutationResolvers = {
  createProviderConnection: (_parent, { provider, scopes }, { identity, integrations }) => integrations.create(identity, provider, scopes),
  connectProvider: (_parent, { provider }, { identity, integrations }) => integrations.connect(identity, provider),
  syncProviderConnection: (_parent, { id }, { identity, integrations }) => integrations.syncNow(identity, id),
  disconnectProvider: (_parent, { id }, { identity, integrations }) => integrations.disconnect(identity, id),
  updateTaskStatus: (_parent, { id, status }, { identity, integrations }) => integrations.updateTaskStatus(identity, id, status),
};

export const ExternalTask: ExternalTaskResolvers = {
  connection: (task, _args, { identity, integrations }) => integrations.connectionOf(identity, task.connectionId),
  statusCategory: (task) => (task.statusCategory === 'DONE' ? 'DONE' : task.statusCategory === 'IN_PROGRESS' ? 'IN_PROGRESS' : 'TO_DO'),
};

export const ProviderConnection: ProviderConnectionResolvers = {
  async __resolveReference(reference, { identity, connections }) {
    const member = requireMember(identity);
    return connections.findOwned(member.organizationId, member.userId, reference.id);
  },
  user: (connection) => ({ id: connection.userId }),
  syncLogs: (connection, { first }, { integrations }) => integrations.syncLogs(connection, first),
  conflicts: (connection, { first }, { integrations }) => integrations.conflictsOf(connection, first),
};

export const IntegrationConflict: IntegrationConflictResolvers = {
  connection: (conflict, _args, { identity, integrations }) => integrations.connectionOf(identity, conflict.connectionId),
  winner: (conflict) => (conflict.winner === 'LOCAL' ? 'LOCAL' : 'REMOTE'),
};
