import { buildSchema, concatAST, Kind, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// schema/operations is the SDK's source: every file must validate against the public API schema
// (schema/api.graphql, written by `pnpm compose`; scripts/check.mjs fails when it is stale).
const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const schema = buildSchema(readFileSync(repo('schema/api.graphql'), 'utf8'));
const files = readdirSync(repo('schema/operations')).filter((name) => name.endsWith('.graphql')).sort();
const documents = new Map<string, DocumentNode>(files.map((name) => [name, parse(readFileSync(repo(`schema/operations/${name}`), 'utf8'))]));
const all = concatAST([...documents.values()]);
const operations = all.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);

/** Root fields no operation uses on purpose. */
const NOT_IN_SDK = new Set([
  'Mutation.createProviderConnection', // superseded by connectProvider (the OAuth flow), kept for old clients
]);

describe('schema/operations', () => {
  it('has the operation files, grouped by domain', () => {
    expect(files).toEqual(expect.arrayContaining(['auth.graphql', 'orgs.graphql', 'focus.graphql', 'habits.graphql', 'goals.graphql', 'calendar.graphql', 'insights.graphql', 'integrations.graphql', 'subscriptions.graphql', 'fragments.graphql']));
  });

  it('the API schema is the public one: no federation internals', () => {
    const names = Object.keys(schema.getTypeMap());
    expect(names.filter((name) => /^(join__|link__|_Service|_Entity|_Any|_FieldSet)/.test(name))).toEqual([]);
    expect(schema.getDirectives().map((directive) => directive.name)).not.toEqual(expect.arrayContaining(['join__type']));
    expect(schema.getSubscriptionType()?.name).toBe('Subscription');
  });

  it.each(files)('%s validates against schema/api.graphql (with the shared fragments)', (name) => {
    const document = concatAST([documents.get(name)!, ...(name === 'fragments.graphql' ? [] : [documents.get('fragments.graphql')!])]);
    // Fragments unused by this one file are fine (NoUnusedFragments is about whole documents); everything else must hold.
    const errors = validate(schema, document).filter((error) => !/is never used/.test(error.message));
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it('all files together form one valid document (what codegen reads)', () => {
    expect(validate(schema, all).map((error) => error.message)).toEqual([]);
  });

  it('every operation is named, names are unique, and every file outside fragments.graphql holds operations only', () => {
    const names = operations.map((operation) => operation.name?.value);
    expect(names.every(Boolean)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    for (const [name, document] of documents) {
      if (name === 'fragments.graphql') expect(document.definitions.every((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)).toBe(true);
      else expect(document.definitions.every((definition) => definition.kind === Kind.OPERATION_DEFINITION)).toBe(true);
    }
  });

  it('covers every root field of the API (Query, Mutation, Subscription) except the listed ones', () => {
    const used = new Set<string>();
    for (const operation of operations) {
      const root = operation.operation === 'query' ? 'Query' : operation.operation === 'mutation' ? 'Mutation' : 'Subscription';
      for (const selection of operation.selectionSet.selections) if (selection.kind === Kind.FIELD) used.add(`${root}.${selection.name.value}`);
    }
    const missing = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .flatMap((type) => Object.keys(type!.getFields()).map((field) => `${type!.name}.${field}`))
      .filter((field) => !used.has(field) && !NOT_IN_SDK.has(field));
    expect(missing).toEqual([]);
  });
});
