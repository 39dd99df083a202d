export { startGateway, SUPERGRAPH_PATH, type GatewayContext, type GatewayOptions } from './server.js';
export { composeSupergraph } from './compose.js';
