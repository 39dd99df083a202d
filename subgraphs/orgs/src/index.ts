export { startOrgsSubgraph } from './server.js';
