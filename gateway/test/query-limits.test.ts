import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { createOrganization, errorCode, gql, gqlOk, signUp } from '@flowforge/testing';
import { DEFAULT_QUERY_LIMITS, queryLimits, queryLimitsRule } from '../src/query-limits.js';

const deepSessions = (cycles: number) => {
  let inner = 'id';
  for (let i = 0; i < cycles; i += 1) inner = `focusSessions(first: 1) { edges { node { ${i === 0 ? 'id' : `user { ${inner} }`} } } }`;
  return `query Deep { me { ${inner} } }`;
};

describe('query depth and size limits', () => {
  const schema = buildSchema('type Query { node(id: ID): Node } type Node { id: ID! child: Node siblings: [Node!]! }');
  const rule = queryLimitsRule({ maxDepth: 4, maxFields: 20 });
  const check = (query: string) => validate(schema, parse(query), [...specifiedRules, rule]).map((e) => ({ message: e.message, ...e.extensions }));

  it('counts depth through fields, inline fragments and named fragments; ignores introspection', () => {
    expect(check('{ node { child { child { id } } } }')).toEqual([]);
    expect(check('query Q { node { child { child { child { id } } } } }')).toEqual([expect.objectContaining({ limit: 'depth', max: 4, value: 5, message: expect.stringContaining('Operation "Q" nests more than 4 levels deep; the limit is 4') })]);
    expect(check('{ node { ... on Node { child { ...F } } } } fragment F on Node { child { child { id } } }')).toEqual([expect.objectContaining({ limit: 'depth' })]);
    expect(validate(schema, parse(getIntrospectionQuery()), [...specifiedRules, rule])).toEqual([]);
  });

  it('counts fields after expanding fragments, so aliases and repeated spreads cannot multiply work unseen', () => {
    expect(check(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: node { id }`).join(' ')} }`)).toEqual([expect.objectContaining({ limit: 'fields', max: 20 })]);
    expect(check(`{ ${Array.from({ length: 6 }, (_, i) => `a${i}: node { ...F }`).join(' ')} } fragment F on Node { id child { id } }`)).toEqual([expect.objectContaining({ limit: 'fields' })]);
    expect(check('{ a: node { id } b: node { id } }')).toEqual([]);
    // A fragment cycle is the standard rules' to report; the limit rule does not loop on it.
    expect(check('{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }').some((e) => /Cannot spread fragment/.test(e.message))).toBe(true);
  });

  it('reads GRAPHQL_MAX_DEPTH / GRAPHQL_MAX_FIELDS and refuses nonsense', () => {
    expect(queryLimits({})).toEqual(DEFAULT_QUERY_LIMITS);
    expect(queryLimits({ GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_FIELDS: '300' })).toEqual({ maxDepth: 8, maxFields: 300 });
    expect(() => queryLimits({ GRAPHQL_MAX_DEPTH: '0' })).toThrow(/GRAPHQL_MAX_DEPTH must be a positive integer/);
  });

  it('the gateway refuses a too deep or too large query with a 400 and a coded error; introspection still works', async () => {
    const user = await signUp();
    await createOrganization(user);
    await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 25 }) { id } }', {}, user.accessToken);
    // me -> (focusSessions -> edges -> node -> user) x2 -> ... -> id: 9 levels, answered; one more cycle (13) is refused.
    const allowed = await gql(deepSessions(2), {}, user.accessToken);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data!.me.focusSessions.edges).toHaveLength(1);
    const deep = await gql(deepSessions(3), {}, user.accessToken);
    expect(deep.status).toBe(400);
    expect(errorCode(deep)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.errors![0]!.message).toBe(`Operation "Deep" nests more than ${DEFAULT_QUERY_LIMITS.maxDepth} levels deep; the limit is ${DEFAULT_QUERY_LIMITS.maxDepth}. Ask for less in one request, or page through it.`);
    const wide = await gql(`{ ${Array.from({ length: DEFAULT_QUERY_LIMITS.maxFields + 1 }, (_, i) => `a${i}: __typename`).join(' ')} }`, {}, user.accessToken);
    expect(wide.status).toBe(400);
    expect(errorCode(wide)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(wide.errors![0]!.message).toMatch(new RegExp(`selects more than ${DEFAULT_QUERY_LIMITS.maxFields} fields \\(fragments expanded\\); the limit is ${DEFAULT_QUERY_LIMITS.maxFields}`));
    expect((await gql(getIntrospectionQuery())).errors).toBeUndefined();
  });
});
