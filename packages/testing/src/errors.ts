import { GraphQLError } from 'graphql';

/** Runs `fn`, expects it to throw an instance of `type`, and returns that error. */
export function thrown<T extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => T): T {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}

/** The message, code and field of the GraphQL error `fn` throws (validation functions of the subgraphs). */
export function rejection(fn: () => unknown): { message: string; code: unknown; field: unknown } {
  const { message, extensions } = thrown(fn, GraphQLError);
  return { message, code: extensions.code, field: extensions.field };
}
