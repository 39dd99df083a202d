import { SUBGRAPH_NAMES, subgraphUrl } from '@flowforge/runtime';
import { request } from 'undici';

/** Ready when every subgraph answers its own /readyz (process up and database reachable). */
export async function checkSubgraphs(env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; details: Record<string, string> }> {
  const results = await Promise.all(SUBGRAPH_NAMES.map(async (name) => {
    const url = new URL('/readyz', subgraphUrl(name, env));
    try {
      const response = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await response.body.dump();
      return [name, response.statusCode === 200 ? 'ok' : `status ${response.statusCode}`] as const;
    } catch (error) {
      return [name, `unreachable (${(error as Error).message})`] as const;
    }
  }));
  return { ok: results.every(([, state]) => state === 'ok'), details: Object.fromEntries(results) };
}
