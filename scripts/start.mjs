// `pnpm start`: the whole product in one process. Embedded defaults unless DATABASE_URL is set.
process.env.NODE_ENV ??= 'production';
await import('../packages/stack/dist/main.js');
