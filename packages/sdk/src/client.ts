import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { FlowForgeError, type GraphQLErrorPayload } from './errors.js';

/** Variables are optional exactly when the operation has no required ones. */
export type VariablesArgs<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

type TokenSource = string | undefined | (() => string | undefined | Promise<string | undefined>);

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An access token, or a function returning the current one (called per request). */
  token?: TokenSource;
  /** A fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Extra headers for every HTTP request. */
  headers?: Record<string, string>;
  /**
   * Called once when a request fails with UNAUTHENTICATED (an expired access token, or one issued
   * before a role change): return a new access token (e.g. from refreshSession) and the request is
   * sent again with it; return undefined to let the error through.
   */
  refreshToken?: (error: FlowForgeError) => Promise<string | undefined> | string | undefined;
  /** Subscriptions: the WebSocket URL (default: url with http(s) replaced by ws(s)). */
  wsUrl?: string;
  /** Subscriptions: a WebSocket implementation where there is no global one (Node 20: `ws`). */
  webSocketImpl?: unknown;
}

export interface SubscribeHandlers {
  onError?: (error: FlowForgeError) => void;
  onComplete?: () => void;
}

export interface FlowForgeClient {
  /** Runs a query or mutation; resolves with its typed data or rejects with a FlowForgeError. */
  request<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, ...variables: VariablesArgs<TVariables>): Promise<TData>;
  /** Starts a subscription over graphql-ws; returns a function that stops it. */
  subscribe<TData, TVariables extends Record<string, unknown>>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables, onData: (data: TData) => void, handlers?: SubscribeHandlers): () => void;
  /** Replaces the access token used from now on (HTTP at once; subscriptions from their next connection). */
  setToken(token: string | undefined): void;
  /** Closes the subscription connection, if one was opened. */
  dispose(): Promise<void>;
}

const printed = new WeakMap<DocumentNode, string>();
function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

function operationName(document: DocumentNode): string | undefined {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition');
  return operation?.name?.value;
}

async function readToken(source: TokenSource): Promise<string | undefined> {
  return typeof source === 'function' ? await source() : source;
}

function asErrors(value: unknown): GraphQLErrorPayload[] {
  if (!Array.isArray(value)) return [];
  return value.map((error) => {
    const candidate = error as Partial<GraphQLErrorPayload> | null;
    return typeof candidate?.message === 'string' ? (candidate as GraphQLErrorPayload) : { message: String(error) };
  });
}

export function createClient(options: ClientOptions): FlowForgeClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new Error('createClient: no fetch available; pass options.fetch.');
  let token: TokenSource = options.token;
  let ws: WsClient | undefined;

  async function send(query: string, name: string | undefined, variables: unknown): Promise<unknown> {
    const current = await readToken(token);
    let response: Response;
    try {
      response = await fetchImpl(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers, ...(current ? { authorization: `Bearer ${current}` } : {}) },
        body: JSON.stringify({ query, operationName: name, variables: variables ?? {} }),
      });
    } catch (cause) {
      throw new FlowForgeError({ errors: [{ message: `Could not reach FlowForge at ${options.url}: ${(cause as Error)?.message ?? cause}`, extensions: { code: 'NETWORK_ERROR' } }], status: 0, cause });
    }
    let body: { data?: unknown; errors?: unknown } | undefined;
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      throw new FlowForgeError({ errors: [{ message: `FlowForge answered HTTP ${response.status} without a GraphQL response.`, extensions: { code: response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'NETWORK_ERROR' } }], status: response.status, cause });
    }
    const errors = asErrors(body?.errors);
    if (errors.length > 0 || body?.data == null) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new FlowForgeError({
        errors: errors.length > 0 ? errors : [{ message: `FlowForge answered HTTP ${response.status} with no data.` }],
        status: response.status,
        data: body?.data,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
      });
    }
    return body.data;
  }

  function wsClient(): WsClient {
    ws ??= createWsClient({
      url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      lazy: true,
      connectionParams: async () => {
        const current = await readToken(token);
        return current ? { authorization: `Bearer ${current}` } : {};
      },
    });
    return ws;
  }

  return {
    async request(document, ...[variables]) {
      const query = queryText(document);
      const name = operationName(document);
      try {
        return (await send(query, name, variables)) as never;
      } catch (error) {
        if (!(error instanceof FlowForgeError) || error.code !== 'UNAUTHENTICATED' || !options.refreshToken) throw error;
        const renewed = await options.refreshToken(error);
        if (!renewed) throw error;
        token = renewed;
        return (await send(query, name, variables)) as never;
      }
    },

    subscribe(document, variables, onData, handlers = {}) {
      return wsClient().subscribe<never>({ query: queryText(document), operationName: operationName(document) ?? null, variables }, {
        next: (result) => {
          const errors = asErrors(result.errors);
          if (errors.length > 0 || result.data == null) {
            handlers.onError?.(new FlowForgeError({ errors: errors.length > 0 ? errors : [{ message: 'A subscription event arrived without data.' }], status: 200, data: result.data }));
            return;
          }
          onData(result.data);
        },
        error: (cause) => {
          handlers.onError?.(toSubscriptionError(cause));
        },
        complete: () => handlers.onComplete?.(),
      });
    },

    setToken(next) {
      token = next;
    },

    async dispose() {
      const open = ws;
      ws = undefined;
      await open?.dispose();
    },
  };
}

/** graphql-ws reports GraphQL errors as an array, and socket closes as a CloseEvent (4401: token, 4403: no organization). */
function toSubscriptionError(cause: unknown): FlowForgeError {
  if (Array.isArray(cause)) return new FlowForgeError({ errors: asErrors(cause), status: 200 });
  const close = cause as { code?: unknown; reason?: unknown } | null;
  if (close && typeof close.code === 'number') {
    const code = close.code === 4401 ? 'UNAUTHENTICATED' : close.code === 4403 ? 'FORBIDDEN' : 'NETWORK_ERROR';
    const reason = typeof close.reason === 'string' && close.reason ? close.reason : `the subscription socket closed (${close.code})`;
    return new FlowForgeError({ errors: [{ message: reason, extensions: { code, closeCode: close.code } }], status: 0 });
  }
  return new FlowForgeError({ errors: [{ message: cause instanceof Error ? cause.message : String(cause), extensions: { code: 'NETWORK_ERROR' } }], status: 0, cause });
}
