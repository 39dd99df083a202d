import { CALENDAR_EVENT_DELETED, CALENDAR_EVENT_UPDATED, CALENDAR_SYNC_CONFLICT } from '@flowforge/events';
/**
 * Wires the integrations machinery once per process (server.ts) or per test: connectors from
 * config, the token store, OAuth, calls with rate limits, the sync engine, push channels, webhooks,
 * write-back and Slack focus, plus the event consumers and the polling timer.
 */
import { createCacheBackends, type CacheBackends } from '@flowforge/cache';
import { FocusEvents, topicOf, type EventEnvelope, type EventSubscription, type FocusSessionEventData } from '@flowforge/events';
import type { Logger, SubgraphEvents } from '@flowforge/runtime';
import { loadConfig, type IntegrationsConfig } from '../config.js';
import { loadTokenCipher, type TokenCipher } from '../crypto/token-cipher.js';
import { IntegrationsEvents } from '../events/catalog.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { RetryPolicy } from '../http/request.js';
import { GithubConnector } from '../providers/github/connector.js';
import { GoogleCalendarConnector } from '../providers/google-calendar/connector.js';
import { JiraConnector, type JiraIssue } from '../providers/jira/connector.js';
import { MicrosoftTeamsConnector } from '../providers/microsoft-teams/connector.js';
import { SlackConnector } from '../providers/slack/connector.js';
import type { Connector, ProviderName } from '../providers/types.js';
import { CalendarBridge, type FocusBlocksScheduled, type SyncConflict } from './calendar-bridge.js';
import { ConnectorCalls } from './calls.js';
import { OAuthService } from './oauth.js';
import { PushChannels } from './push.js';
import { SlackFocus } from './slack-focus.js';
import { SyncEngine } from './sync.js';
import { JiraTasks } from './jira-tasks.js';
import { TeamsPresence } from './teams-presence.js';
import { TokenStore, type Tx } from './tokens.js';
import { WebhookService } from './webhooks.js';

export const CALENDAR_FOCUS_BLOCKS_SCHEDULED = 'flowforge.calendar.focus_blocks.scheduled';

export interface IntegrationsAppOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: SubgraphEvents<Tx>;
  cipher?: TokenCipher;
  config?: IntegrationsConfig;
  retry?: Partial<RetryPolicy>;
  cache?: CacheBackends;
  pageSize?: number;
  /** Start polling and push channels (off in unit tests). */
  background?: boolean;
}

export class IntegrationsApp {
  readonly config: IntegrationsConfig;
  readonly cipher: TokenCipher;
  readonly connectorsByProvider: Partial<Record<ProviderName, Connector>>;
  readonly google: GoogleCalendarConnector;
  readonly slack: SlackConnector;
  readonly github: GithubConnector;
  readonly teams: MicrosoftTeamsConnector;
  readonly jira: JiraConnector;
  readonly jiraTasks: JiraTasks;
  readonly tokens: TokenStore;
  readonly calls: ConnectorCalls;
  readonly oauth: OAuthService;
  readonly engine: SyncEngine;
  readonly push: PushChannels;
  readonly webhooks: WebhookService;
  readonly bridge: CalendarBridge;
  readonly slackFocus: SlackFocus;
  readonly teamsPresence: TeamsPresence;
  private readonly cache: CacheBackends;
  private readonly ownCache: boolean;
  private readonly subscriptions: EventSubscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private teamsTimer: NodeJS.Timeout | undefined;
  private jiraTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly db: PrismaClient, private readonly options: IntegrationsAppOptions) {
    const { env, log, events } = options;
    this.config = options.config ?? loadConfig(env);
    this.cipher = options.cipher ?? loadTokenCipher(env);
    this.google = new GoogleCalendarConnector({ oauth: this.config.google.oauth, apiUrl: this.config.google.apiUrl, syncWindowDays: this.config.google.syncWindowDays, pageSize: options.pageSize });
    this.slack = new SlackConnector(this.config.slack.oauth, this.config.slack.apiUrl, this.config.slack.signingSecret);
    this.github = new GithubConnector(this.config.github.oauth, this.config.github.apiUrl, this.config.github.webhookSecret);
    this.jira = new JiraConnector(this.config.jira.oauth, this.config.jira.apiUrl, this.config.jira.webhookSecret, options.pageSize ?? 50, this.config.jira.siteUrl);
    this.teams = new MicrosoftTeamsConnector(this.config.microsoft.oauth, this.config.microsoft.apiUrl);
    this.connectorsByProvider = { GOOGLE_CALENDAR: this.google, SLACK: this.slack, GITHUB: this.github, MICROSOFT_TEAMS: this.teams, JIRA: this.jira };
    const connectors = (provider: ProviderName) => this.connectorsByProvider[provider] ?? null;
    this.tokens = new TokenStore(db, this.cipher, (provider) => connectors(provider)?.oauth ?? null, events, env, log);
    this.ownCache = !options.cache;
    this.cache = options.cache ?? createCacheBackends(env, { keyPrefix: 'ff:integrations:' });
    const limits = {
      perConnection: this.cache.rateLimiter({ name: 'integrations-connection', capacity: this.config.rateLimit.burst, refillPerSecond: this.config.rateLimit.perSecond }),
      daily: this.cache.rateLimiter({ name: 'integrations-daily', capacity: this.config.dailyQuota, refillPerSecond: this.config.dailyQuota / 86_400 }),
    };
    this.calls = new ConnectorCalls(this.tokens, connectors, limits, options.retry);
    this.oauth = new OAuthService(db, this.cipher, this.tokens, connectors, (connection) => this.calls.call(connection), this.config, events, env, log);
    this.engine = new SyncEngine(db, this.calls, connectors, events, log);
    this.push = new PushChannels(db, this.calls, this.google, this.config, log);
    this.teamsPresence = new TeamsPresence(db, this.calls, this.teams, this.config, log);
    this.jiraTasks = new JiraTasks(db, this.calls, this.jira, this.config.jira.siteUrl, log, (connectionId, reason) => this.tokens.markNeedsReauth(connectionId, reason));
    this.webhooks = new WebhookService(db, connectors, events, this.engine, log, {
      teams: (connectionId, payload) => this.teamsPresence.webhook(connectionId, payload),
      jira: (event, payload) => this.jiraTasks.webhook(event, (payload as { issue: JiraIssue }).issue),
    });
    this.bridge = new CalendarBridge(db, this.calls, this.google, events, log);
    this.slackFocus = new SlackFocus(db, this.calls, this.slack, log);
  }

  /** After a connection completed: the first sync and (Google) a push channel, in the background. */
  afterConnect(connectionId: string): void {
    void (async () => {
      const row = await this.db.providerConnection.findUnique({ where: { id: connectionId }, select: { provider: true } });
      if (row?.provider === 'JIRA') {
        await this.jiraTasks.sync(connectionId);
        return;
      }
      if (row?.provider === 'MICROSOFT_TEAMS') {
        await this.teamsPresence.ensureSubscription(connectionId).catch((error: Error) => this.options.log({ level: 'warn', msg: 'teams presence subscription failed; retried by the renewal timer', connectionId, error: error.message }));
        return;
      }
      if (row?.provider !== 'GOOGLE_CALENDAR') return;
      await this.push.ensure(connectionId).catch((error: Error) => this.options.log({ level: 'warn', msg: 'push channel setup failed; polling only', connectionId, error: error.message }));
      await this.engine.sync(connectionId, 'initial');
    })().catch((error: Error) => this.options.log({ level: 'error', msg: 'post-connect work failed', connectionId, error: error.message }));
  }

  /** Durable consumers (DB effects, consumeOnce) and work consumers (provider calls, idempotent, outside transactions). */
  async subscribe(): Promise<void> {
    const { events, log } = this.options;
    // Only conflicts take a transaction here (calendar's event.created/updated/deleted are skipped at once).
    this.subscriptions.push(await events.subscribe('conflicts', [topicOf('calendar')], async (event, tx) => {
      if (event.type === CALENDAR_SYNC_CONFLICT) await this.bridge.recordConflict(tx, event.data as SyncConflict);
    }, { types: [CALENDAR_SYNC_CONFLICT] }));
    const work = async (group: string, topics: string[], handler: (event: EventEnvelope) => Promise<void>) => {
      this.subscriptions.push(await events.bus.subscribe(`flowforge.integrations.${group}`, topics, async (event) => {
        if (this.closed) return;
        await handler(event);
      }, { fromBeginning: true }));
    };
    await work('calendar-writeback', [topicOf('calendar')], async (event) => {
      if (event.type === CALENDAR_FOCUS_BLOCKS_SCHEDULED) await this.bridge.writeFocusBlocks(event.data as FocusBlocksScheduled);
      else if (event.type === CALENDAR_SYNC_CONFLICT) await this.bridge.pushLocalWinner(event.data as SyncConflict);
      else if (event.type === CALENDAR_EVENT_UPDATED || event.type === CALENDAR_EVENT_DELETED) await this.bridge.pushLocalChange(event);
    });
    await work('slack-focus', [topicOf('focus')], async (event) => {
      if (event.type === FocusEvents.started) await this.slackFocus.started(event.data as FocusSessionEventData);
      else if (event.type === FocusEvents.ended) await this.slackFocus.ended(event.data as FocusSessionEventData);
    });
    await work('teams-presence', [topicOf('focus')], async (event) => {
      if (event.type === FocusEvents.started) await this.teamsPresence.started(event.data as FocusSessionEventData);
      else if (event.type === FocusEvents.ended) await this.teamsPresence.ended(event.data as FocusSessionEventData);
    });
    await work('webhooks', [topicOf('integrations')], async (event) => {
      if (event.type === IntegrationsEvents.webhookReceived) await this.webhooks.process(event);
    });
    log({ msg: 'integrations consumers subscribed' });
  }

  /** Polling fallback (and push channel renewal) for every connected calendar. */
  startBackground(): void {
    const tick = async () => {
      const rows = await this.db.providerConnection.findMany({ where: { provider: 'GOOGLE_CALENDAR', status: 'CONNECTED' }, select: { id: true } });
      for (const row of rows) {
        if (this.closed) return;
        await this.push.ensure(row.id).catch(() => {});
        await this.engine.sync(row.id, 'poll').catch(() => {});
      }
    };
    this.timer = setInterval(() => void tick().catch((error: Error) => this.options.log({ level: 'warn', msg: 'poll failed', error: error.message })), this.config.google.pollIntervalMs);
    this.timer.unref();
    this.teamsTimer = setInterval(() => void this.renewTeamsSubscriptions().catch((error: Error) => this.options.log({ level: 'warn', msg: 'teams subscription renewal failed', error: error.message })), this.config.microsoft.renewalIntervalMs);
    this.teamsTimer.unref();
    this.jiraTimer = setInterval(() => void this.syncJira().catch((error: Error) => this.options.log({ level: 'warn', msg: 'jira poll failed', error: error.message })), this.config.jira.pollIntervalMs);
    this.jiraTimer.unref();
  }

  /** Hourly polling of Jira (webhooks carry changes in between). */
  async syncJira(): Promise<void> {
    const rows = await this.db.providerConnection.findMany({ where: { provider: 'JIRA', status: 'CONNECTED' }, select: { id: true } });
    for (const row of rows) {
      if (this.closed) return;
      await this.jiraTasks.sync(row.id).catch(() => {});
    }
  }

  /** Creates or renews (PATCH before expiry) the presence subscription of every connected Teams account. */
  async renewTeamsSubscriptions(): Promise<void> {
    const rows = await this.db.providerConnection.findMany({ where: { provider: 'MICROSOFT_TEAMS', status: 'CONNECTED' }, select: { id: true } });
    for (const row of rows) {
      if (this.closed) return;
      await this.teamsPresence.ensureSubscription(row.id).catch((error: Error) => this.options.log({ level: 'warn', msg: 'teams presence subscription failed', connectionId: row.id, error: error.message }));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.teamsTimer) clearInterval(this.teamsTimer);
    if (this.jiraTimer) clearInterval(this.jiraTimer);
    await Promise.allSettled(this.subscriptions.map((s) => s.close()));
    await this.engine.idle();
    if (this.ownCache) await this.cache.close();
  }
}
