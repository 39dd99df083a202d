// Prisma 6.19 config used by scripts/migrate-new.mjs and scripts/check-migrations.mjs
// (through ./migrate-lib.mjs). See the comment at the top of migrate-lib.mjs for why.
//
// `engine: 'js'` + an adapter makes prisma@6.19 use its bundled WASM schema engine, so nothing is
// downloaded. That engine still opens the adapter once and runs ONE probe query (does the schema
// exist, server version) even for `migrate diff --from-schema-datamodel --to-schema-datamodel`,
// which never touches a database otherwise. This stub adapter answers that probe and throws on
// anything else, so the diff runs fully offline and a future engine that needs more fails loudly.

const PROBE = /FROM\s+pg_namespace\s+WHERE\s+nspname/i;

function offline(what) {
  return new Error(`flowforge offline prisma adapter: no database here (${what})`);
}

function stubConnection() {
  return {
    provider: 'postgres',
    adapterName: 'flowforge-offline-stub',
    async queryRaw(query) {
      if (PROBE.test(query.sql)) {
        // columnTypes: Boolean = 5, Text = 7, Int32 = 0 (@prisma/driver-adapter-utils ColumnTypeEnum)
        return {
          columnNames: ['exists', 'version', 'numeric_version'],
          columnTypes: [5, 7, 0],
          rows: [[true, 'PostgreSQL 16.0 (flowforge offline stub)', 160000]],
        };
      }
      throw offline(`query: ${query.sql.slice(0, 200)}`);
    },
    async executeRaw(query) {
      throw offline(`execute: ${query.sql.slice(0, 200)}`);
    },
    async executeScript() {
      throw offline('executeScript');
    },
    async startTransaction() {
      throw offline('transaction');
    },
    getConnectionInfo() {
      return { schemaName: 'public', supportsRelationJoins: true };
    },
    async dispose() {},
  };
}

const schema = process.env.FLOWFORGE_PRISMA_SCHEMA;
if (!schema) throw new Error('FLOWFORGE_PRISMA_SCHEMA must point at the v6 copy of the schema');

export default {
  experimental: { adapter: true },
  engine: 'js',
  // The CLI reads `engineType = "client"` from this schema before running the command; without it
  // it would try to download a native query engine.
  schema,
  async adapter() {
    return {
      provider: 'postgres',
      adapterName: 'flowforge-offline-stub',
      async connect() {
        return stubConnection();
      },
      async connectToShadowDb() {
        return stubConnection();
      },
    };
  },
};
