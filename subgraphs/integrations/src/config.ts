/**
 * Provider endpoints and credentials come from env, so tests and development point them at local
 * fakes. A provider without a client id is "not configured": connectProvider says so.
 *
 * GOOGLE_OAUTH_AUTHORIZE_URL, GOOGLE_OAUTH_TOKEN_URL, GOOGLE_CALENDAR_API_URL, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET
 * SLACK_OAUTH_AUTHORIZE_URL, SLACK_OAUTH_TOKEN_URL, SLACK_API_URL, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET
 * MICROSOFT_OAUTH_AUTHORIZE_URL, MICROSOFT_OAUTH_TOKEN_URL, MICROSOFT_GRAPH_API_URL, MICROSOFT_CLIENT_ID, MICROSOFT_CLIENT_SECRET,
 *   MICROSOFT_TENANT (default "common"; used in the default authorize/token URLs)
 * JIRA_OAUTH_AUTHORIZE_URL, JIRA_OAUTH_TOKEN_URL, JIRA_API_URL (the Atlassian API gateway, default https://api.atlassian.com:
 *   accessible-resources there, site calls under /ex/jira/<cloudId>), JIRA_SITE_URL (optional https://<site>.atlassian.net:
 *   the site to use when the token reaches several), JIRA_CLIENT_ID, JIRA_CLIENT_SECRET, JIRA_WEBHOOK_SECRET
 * GITHUB_OAUTH_AUTHORIZE_URL, GITHUB_OAUTH_TOKEN_URL, GITHUB_API_URL, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, GITHUB_WEBHOOK_SECRET
 * INTEGRATIONS_PUBLIC_URL: the public origin of /oauth/callback/* and /webhooks/* (default FLOWFORGE_PUBLIC_URL,
 *   else the local gateway).
 */
import { servicePort } from '@flowforge/runtime';
import type { OAuthConfig, ProviderName } from './providers/types.js';

export const PROVIDER_SLUGS: Record<ProviderName, string> = {
  GOOGLE_CALENDAR: 'google-calendar',
  SLACK: 'slack',
  MICROSOFT_TEAMS: 'microsoft-teams',
  JIRA: 'jira',
  GITHUB: 'github',
};

export const providerOfSlug = (slug: string): ProviderName | null =>
  (Object.entries(PROVIDER_SLUGS).find(([, s]) => s === slug)?.[0] as ProviderName | undefined) ?? null;

export const OAUTH_CALLBACK_PREFIX = '/oauth/callback/';
export const WEBHOOK_PREFIX = '/webhooks/';

export interface IntegrationsConfig {
  publicUrl: string;
  /** Where the browser goes after the OAuth callback (e.g. the web app's settings page); unset: a plain page. */
  returnUrl: string | null;
  google: { oauth: OAuthConfig | null; apiUrl: string; syncWindowDays: number; pollIntervalMs: number };
  slack: { oauth: OAuthConfig | null; apiUrl: string; signingSecret: string | null };
  github: { oauth: OAuthConfig | null; apiUrl: string; webhookSecret: string | null };
  /** Microsoft Teams presence through Microsoft Graph; renewalIntervalMs: how often subscriptions are checked for renewal. */
  jira: { oauth: OAuthConfig | null; apiUrl: string; siteUrl: string | null; webhookSecret: string | null; pollIntervalMs: number };
  microsoft: { oauth: OAuthConfig | null; apiUrl: string; renewalIntervalMs: number };
  /** Per-connection provider-call budget (token bucket). */
  rateLimit: { burst: number; perSecond: number };
  /** Per-connection daily quota of provider calls. */
  dailyQuota: number;
}

function oauth(env: NodeJS.ProcessEnv, prefix: string, defaults: { authorize: string; token: string }, scopes: string[], extra: Partial<OAuthConfig> = {}): OAuthConfig | null {
  const clientId = env[`${prefix}_CLIENT_ID`];
  if (!clientId) return null;
  return {
    authorizeUrl: env[`${prefix}_OAUTH_AUTHORIZE_URL`] ?? defaults.authorize,
    tokenUrl: env[`${prefix}_OAUTH_TOKEN_URL`] ?? defaults.token,
    clientId,
    clientSecret: env[`${prefix}_CLIENT_SECRET`] ?? '',
    scopes,
    ...extra,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IntegrationsConfig {
  const publicUrl = (env.INTEGRATIONS_PUBLIC_URL ?? env.FLOWFORGE_PUBLIC_URL ?? `http://localhost:${servicePort('gateway', env)}`).replace(/\/+$/, '');
  return {
    publicUrl,
    returnUrl: env.INTEGRATIONS_RETURN_URL ?? null,
    google: {
      // Least privilege: read events and write our own focus blocks (calendar.events), not calendar settings.
      oauth: oauth(env, 'GOOGLE', { authorize: 'https://accounts.google.com/o/oauth2/v2/auth', token: 'https://oauth2.googleapis.com/token' },
        ['https://www.googleapis.com/auth/calendar.events'], { authorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' } }),
      apiUrl: (env.GOOGLE_CALENDAR_API_URL ?? 'https://www.googleapis.com/calendar/v3').replace(/\/+$/, ''),
      syncWindowDays: Number(env.GOOGLE_SYNC_WINDOW_DAYS ?? 90),
      pollIntervalMs: Number(env.INTEGRATIONS_POLL_INTERVAL_MS ?? 15 * 60_000),
    },
    slack: {
      // User-token scopes (user_scope): set the user's own status and DND (users.profile.set and
      // dnd.setSnooze take user tokens only); chat:write + im:write stay for the self-DM fallback of
      // connections made before the bot scopes. Bot scopes (scope): open the app's DM with the user
      // (im:write) and post the focus summary there as the app (chat:write), which notifies the user;
      // a message the user "sends" to themselves does not.
      oauth: oauth(env, 'SLACK', { authorize: 'https://slack.com/oauth/v2/authorize', token: 'https://slack.com/api/oauth.v2.access' },
        ['users.profile:write', 'users.profile:read', 'dnd:write', 'dnd:read', 'chat:write', 'im:write'], { scopeParam: 'user_scope', botScopes: ['chat:write', 'im:write'] }),
      apiUrl: (env.SLACK_API_URL ?? 'https://slack.com/api').replace(/\/+$/, ''),
      signingSecret: env.SLACK_SIGNING_SECRET ?? null,
    },
    github: {
      oauth: oauth(env, 'GITHUB', { authorize: 'https://github.com/login/oauth/authorize', token: 'https://github.com/login/oauth/access_token' }, ['read:user']),
      apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
      webhookSecret: env.GITHUB_WEBHOOK_SECRET ?? null,
    },
    jira: {
      // Read and transition the user's issues, know who they are (webhook assignee), refresh tokens.
      oauth: oauth(env, 'JIRA', { authorize: 'https://auth.atlassian.com/authorize', token: 'https://auth.atlassian.com/oauth/token' },
        ['read:jira-work', 'write:jira-work', 'read:jira-user', 'offline_access'], { authorizeParams: { audience: 'api.atlassian.com', prompt: 'consent' } }),
      // The gateway root; an old-style value ending in /ex/jira/<cloudId> is cut back to it (the cloud id is discovered per connection).
      apiUrl: (env.JIRA_API_URL ?? 'https://api.atlassian.com').replace(/\/+$/, '').replace(/\/ex\/jira\/[^/]*$/, ''),
      siteUrl: env.JIRA_SITE_URL?.replace(/\/+$/, '') ?? null,
      webhookSecret: env.JIRA_WEBHOOK_SECRET ?? null,
      pollIntervalMs: Number(env.JIRA_POLL_INTERVAL_MS ?? 60 * 60_000),
    },
    microsoft: {
      // Least privilege: read/write the user's own presence; offline_access for a refresh token.
      oauth: oauth(env, 'MICROSOFT', {
        authorize: `https://login.microsoftonline.com/${env.MICROSOFT_TENANT ?? 'common'}/oauth2/v2.0/authorize`,
        token: `https://login.microsoftonline.com/${env.MICROSOFT_TENANT ?? 'common'}/oauth2/v2.0/token`,
      }, ['Presence.ReadWrite', 'offline_access']),
      apiUrl: (env.MICROSOFT_GRAPH_API_URL ?? 'https://graph.microsoft.com/v1.0').replace(/\/+$/, ''),
      renewalIntervalMs: Number(env.MICROSOFT_SUBSCRIPTION_CHECK_MS ?? 5 * 60_000),
    },
    rateLimit: { burst: Number(env.INTEGRATIONS_RATE_BURST ?? 50), perSecond: Number(env.INTEGRATIONS_RATE_PER_SECOND ?? 10) },
    dailyQuota: Number(env.INTEGRATIONS_DAILY_QUOTA ?? 100_000),
  };
}

export const redirectUri = (config: IntegrationsConfig, provider: ProviderName) => `${config.publicUrl}${OAUTH_CALLBACK_PREFIX}${PROVIDER_SLUGS[provider]}`;
export const webhookUrl = (config: IntegrationsConfig, provider: ProviderName) => `${config.publicUrl}${WEBHOOK_PREFIX}${PROVIDER_SLUGS[provider]}`;
