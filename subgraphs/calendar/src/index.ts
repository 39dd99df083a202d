export { startCalendarSubgraph } from './server.js';
