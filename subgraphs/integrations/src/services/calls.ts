/**
 * Builds the ConnectorCall a connector gets: the provider's HTTP client (retries per the connector's
 * error map) with a per-connection token bucket and daily quota (@flowforge/cache: Redis when
 * REDIS_URL is set, memory otherwise), and the token store's access token.
 */
import type { RateLimiter } from '@flowforge/cache';
import { ProviderError, ProviderHttpClient, type RetryPolicy } from '../http/request.js';
import type { Connector, ConnectorCall, ProviderName } from '../providers/types.js';
import type { TokenKind, TokenStore } from './tokens.js';

export interface CallLimits {
  /** Per-connection burst/rate. */
  perConnection: RateLimiter;
  /** Per-connection daily quota (a bucket refilled over 24 h). */
  daily: RateLimiter;
}

export interface CallStats {
  attempts: number;
  byStatus: Map<string, number>;
}

export class ConnectorCalls {
  readonly stats: CallStats = { attempts: 0, byStatus: new Map() };

  constructor(
    private readonly tokens: TokenStore,
    private readonly connectors: (provider: ProviderName) => Connector | null,
    private readonly limits: CallLimits,
    private readonly retry: Partial<RetryPolicy> = {},
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  http(provider: ProviderName, connectionId: string): ProviderHttpClient {
    const connector = this.connectors(provider);
    if (!connector) throw new ProviderError(`${provider} has no connector.`, 'GIVE_UP', null);
    return new ProviderHttpClient({
      mapError: (status, body, headers) => connector.mapError(status, body, headers),
      retry: this.retry,
      sleep: this.sleep,
      beforeAttempt: async () => {
        const quota = await this.limits.daily.consume(`${connectionId}`);
        if (!quota.allowed) throw new ProviderError(`The daily quota of provider calls for this connection is used up; it refills in ${quota.retryAfterSeconds} s.`, 'GIVE_UP', null, 'dailyQuotaExceeded');
        for (let waited = 0; ; waited++) {
          const result = await this.limits.perConnection.consume(connectionId);
          if (result.allowed) return;
          if (waited > 100) throw new ProviderError('Per-connection rate limit: gave up waiting.', 'RETRY', null, 'localRateLimit');
          await this.sleep(Math.max(50, result.retryAfterSeconds * 1000));
        }
      },
      onAttempt: ({ status }) => {
        this.stats.attempts++;
        this.stats.byStatus.set(String(status), (this.stats.byStatus.get(String(status)) ?? 0) + 1);
      },
    });
  }

  /** Runs `work`; on a 401 while the token looked valid, refreshes it once (forced, rotating) and runs it again. */
  async withRefresh<T>(call: ConnectorCall, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ProviderError) || error.action !== 'REAUTH' || error.status !== 401) throw error;
      await this.tokens.accessToken(call.connection.id, { forceRefresh: true });
      return work();
    }
  }

  /** `token: 'bot'`: the call carries the connection's bot token (Slack) instead of the user's. */
  call(connection: ConnectorCall['connection'] & { provider: ProviderName }, token: TokenKind = 'user'): ConnectorCall {
    return { connection, http: this.http(connection.provider, connection.id), accessToken: () => this.tokens.accessToken(connection.id, { kind: token }) };
  }

  /** A call with the connection's bot token, or null when none is stored (connections made before the bot scopes). */
  async botCall(connection: ConnectorCall['connection'] & { provider: ProviderName }): Promise<ConnectorCall | null> {
    return (await this.tokens.hasBotToken(connection.id)) ? this.call(connection, 'bot') : null;
  }
}
