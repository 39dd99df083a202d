export { startInsightsSubgraph } from './server.js';
