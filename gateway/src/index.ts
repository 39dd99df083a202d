export { startGateway, SUPERGRAPH_PATH, type GatewayContext, type GatewayOptions, type RunningGateway } from './server.js';
export { composeSupergraph } from './compose.js';
