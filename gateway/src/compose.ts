import { composeServices } from '@apollo/composition';
import { SUBGRAPH_NAMES } from '@flowforge/runtime';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** The virtual subgraph of subscriptions, served inside the gateway (gateway/src/subscriptions). */
export const EVENTS_SUBGRAPH = 'events';

/**
 * Composes the six subgraph schemas, plus the gateway's virtual `events` subgraph (the Subscription
 * root), into the supergraph the gateway serves. The URLs written into it are placeholders: the
 * gateway routes by subgraph name using its own configuration.
 */
export function composeSupergraph(): string {
  const result = composeServices([
    ...SUBGRAPH_NAMES.map((name) => ({ name, path: `subgraphs/${name}/schema.graphql` })),
    { name: EVENTS_SUBGRAPH, path: 'gateway/src/subscriptions/events.graphql' },
  ].map(({ name, path }) => ({
    name,
    url: `http://${name}.flowforge.internal/graphql`,
    typeDefs: parse(readFileSync(repoRoot(path), 'utf8')),
  })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
