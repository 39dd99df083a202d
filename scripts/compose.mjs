// `pnpm compose`: writes schema/supergraph.graphql from the subgraph schemas (run after changing any).
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from '../gateway/dist/compose.js';

const path = new URL('../schema/supergraph.graphql', import.meta.url);
writeFileSync(path, composeSupergraph());
console.log('wrote schema/supergraph.graphql');
