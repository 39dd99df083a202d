export * from './keys.js';
export * from './roles.js';
export * from './tokens.js';
export * from './passwords.js';
export * from './opaque-tokens.js';
