// An UNTUNED stock Apollo gateway, the baseline for `pnpm bench gateway`. Runs as a child process
// (forked with IPC by bench/gateway.mjs) so it does not share an event loop or CPU accounting with
// autocannon. Everything is Apollo's default (fetcher, query planner, server) except what the
// FlowForge subgraphs cannot do without: the real subgraph URLs (the supergraph holds placeholders)
// and the internal token header, which the parent signs and sends before every run.
//
// argv[2]: JSON { supergraphPath, port, urls: { <subgraph name>: <url> } }
// IPC in:  { type: 'token', token }   -> out: { type: 'token-set' }
// IPC out: { type: 'ready', url } once listening, { type: 'failed', error } if it cannot start.
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';

const INTERNAL_TOKEN_HEADER = 'x-flowforge-internal-token';
const { supergraphPath, port, urls } = JSON.parse(process.argv[2]);

let internalToken = '';

class InternalTokenDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request }) {
    request.http.headers.set(INTERNAL_TOKEN_HEADER, internalToken);
  }
}

process.on('message', (message) => {
  if (message?.type === 'token') {
    internalToken = message.token;
    process.send({ type: 'token-set' });
  }
});
// The parent went away (finished, crashed or was killed): never outlive it.
process.on('disconnect', () => process.exit(0));

try {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ name }) => {
      // `events` is FlowForge's virtual subgraph for subscriptions, served inside our gateway; the
      // bench query never reaches it, so the stock gateway only needs a placeholder for it.
      if (name === 'events') return new RemoteGraphQLDataSource({ url: 'http://127.0.0.1:9/unused' });
      if (!urls[name]) throw new Error(`No URL for subgraph "${name}"`);
      return new InternalTokenDataSource({ url: urls[name] });
    },
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  const stop = () => server.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.send({ type: 'ready', url });
} catch (error) {
  process.send({ type: 'failed', error: error?.stack ?? String(error) }, () => process.exit(1));
}
