export * from './errors.js';
export * from './guards.js';
export * from './http.js';
export * from './logger.js';
export * from './ports.js';
export * from './subgraph.js';
export * from './validation.js';
export * from './scalars.js';
