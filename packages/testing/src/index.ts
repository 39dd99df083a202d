export * from './client.js';
export * from './services.js';
export * from './stack-process.js';
export * from './errors.js';
