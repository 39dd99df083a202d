export { startHabitsSubgraph } from './server.js';
