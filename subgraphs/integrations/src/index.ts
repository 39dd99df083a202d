export { startIntegrationsSubgraph } from './server.js';
