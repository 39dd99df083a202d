export { startFocusSubgraph } from './server.js';
