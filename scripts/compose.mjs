// `pnpm compose`: writes schema/supergraph.graphql from the subgraph schemas (run after changing any),
// and schema/api.graphql, the public API schema derived from it (what the SDK's codegen reads).
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from '../gateway/dist/compose.js';
import { apiSchemaSdl } from './api-schema.mjs';

const supergraph = composeSupergraph();
writeFileSync(new URL('../schema/supergraph.graphql', import.meta.url), supergraph);
writeFileSync(new URL('../schema/api.graphql', import.meta.url), apiSchemaSdl(supergraph));
console.log('wrote schema/supergraph.graphql and schema/api.graphql');
