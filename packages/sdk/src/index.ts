// @flowforge/sdk: a typed client for the FlowForge GraphQL API. The documents and types come from
// schema/operations/*.graphql through graphql-codegen (src/generated/, made by `pnpm codegen`).
export { createClient, type ClientOptions, type FlowForgeClient, type SubscribeHandlers, type VariablesArgs } from './client.js';
export { FlowForgeError, isFlowForgeError, type FlowForgeErrorCode, type GraphQLErrorPayload } from './errors.js';
export type { TypedDocumentNode } from '@graphql-typed-document-node/core';
export * from './generated/graphql.js';
