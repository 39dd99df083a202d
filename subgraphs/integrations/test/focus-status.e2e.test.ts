// Through the gateway of a dedicated stack started with the fake Slack's and fake Microsoft Graph's
// URLs: connect Slack and Microsoft Teams via their OAuth flows (authorization code + PKCE) against
// the fakes, start a focus session and see the Slack status + Do Not Disturb and the Teams preferred
// presence set at the fakes, end it and see them restored and a summary DM posted on Slack by the app (the bot
// token from the install, so it notifies the user). The public URL of /oauth/callback/ and
// /webhooks/ is the gateway (INTEGRATIONS_PUBLIC_URL), which proxies them to the integrations subgraph.
import { gqlOk, signUp, startStackProcess, type StackProcess, type TestUser } from '@flowforge/testing';
import { FOCUS_STATUS } from '../src/providers/slack/connector.js';
import { TEAMS_FOCUS_MESSAGE } from '../src/providers/microsoft-teams/connector.js';
import { FakeMicrosoftGraph } from './fakes/microsoft-graph.js';
import { FakeSlack } from './fakes/slack.js';
import { eventually, newKek } from './harness.js';

const PORT_BASE = Number(process.env.FLOWFORGE_TEST_PORT_BASE ?? 14000) + 170;
/** The gateway: the public origin of the OAuth callbacks and the webhooks. */
const PUBLIC_ORIGIN = `http://127.0.0.1:${PORT_BASE}`;
const SLACK_USER = 'U0E2EFOCUS';
const GRAPH_USER = 'aad-e2e-focus-user';
const SLACK_BEFORE = { status_text: 'In Berlin', status_emoji: ':flag-de:', status_expiration: 0 };

describe('Focus status on Slack and Microsoft Teams through the gateway (dedicated stack + fakes)', () => {
  let slack: FakeSlack;
  let graph: FakeMicrosoftGraph;
  let stack: StackProcess;
  let url: string;
  let user: TestUser;

  beforeAll(async () => {
    slack = await new FakeSlack({ redirectUris: [`${PUBLIC_ORIGIN}/oauth/callback/slack`], approveAs: SLACK_USER }).start();
    graph = await new FakeMicrosoftGraph({ redirectUris: [`${PUBLIC_ORIGIN}/oauth/callback/microsoft-teams`], approveAs: GRAPH_USER }).start();
    // The status the user had before connecting: restored after the session.
    slack.profiles.set(SLACK_USER, { ...SLACK_BEFORE });
    graph.presence.set(GRAPH_USER, { availability: 'Available', activity: 'Available', preferred: null, statusMessage: { message: { content: 'On site in Berlin', contentType: 'text' } } });
    stack = await startStackProcess({ portBase: PORT_BASE, embedded: true, env: { ...slack.env(), ...graph.env(), INTEGRATIONS_PUBLIC_URL: PUBLIC_ORIGIN, INTEGRATIONS_KEK: newKek().base64 } });
    url = stack.gatewayUrl;
    user = await signUp({ timezone: 'UTC', url });
    const org = await gqlOk<{ createOrganization: { accessToken: string } }>('mutation { createOrganization(input: { name: "E2E focus status" }) { accessToken } }', {}, user.accessToken, url);
    user.accessToken = org.createOrganization.accessToken;
  }, 90_000);
  afterAll(async () => {
    if (process.env.E2E_DEBUG) console.log(stack?.output().slice(-6000));
    await stack?.stop();
    await slack?.stop();
    await graph?.stop();
  });

  const q = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) => gqlOk<T>(query, variables, user.accessToken, url);

  /** connectProvider through the gateway, then the browser: the fake auto-approves and redirects to our callback (through the gateway). */
  async function connect(provider: 'SLACK' | 'MICROSOFT_TEAMS', slug: string): Promise<{ id: string; authorize: URL }> {
    const { connectProvider } = await q('mutation($provider: Provider!) { connectProvider(provider: $provider) { authorizationUrl connection { id status } } }', { provider });
    expect(connectProvider.connection.status).toBe('PENDING');
    const authorize = new URL(connectProvider.authorizationUrl);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${PUBLIC_ORIGIN}/oauth/callback/${slug}`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get('location')!;
    expect(callback.startsWith(`${PUBLIC_ORIGIN}/oauth/callback/${slug}?`)).toBe(true);
    expect(new URL(callback).searchParams.get('code')).toBeTruthy();
    const done = await fetch(callback);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('connected');
    // The state is single-use.
    expect((await fetch(callback)).status).toBe(400);
    return { id: connectProvider.connection.id, authorize };
  }

  const connections = async () => (await q('{ me { providerConnections { id provider status externalAccountId scopes } } }')).me.providerConnections as { id: string; provider: string; status: string; externalAccountId: string | null; scopes: string[] }[];

  it('connects Slack and Teams via OAuth, sets status + DND / DoNotDisturb during a focus session, and restores them after', async () => {
    // Slack: user-token scopes comma separated in user_scope (status, DND), bot scopes in scope (the summary DM).
    const slackConnection = await connect('SLACK', 'slack');
    expect(slackConnection.authorize.searchParams.get('user_scope')).toBe('users.profile:write,users.profile:read,dnd:write,dnd:read,chat:write,im:write');
    expect(slackConnection.authorize.searchParams.get('scope')).toBe('chat:write,im:write');
    // Teams: Presence.ReadWrite + offline_access (a refresh token), space separated.
    const teamsConnection = await connect('MICROSOFT_TEAMS', 'microsoft-teams');
    expect(teamsConnection.authorize.searchParams.get('scope')).toBe('Presence.ReadWrite offline_access');

    await eventually(async () => {
      const list = await connections();
      expect(list.find((c) => c.id === slackConnection.id)).toMatchObject({ provider: 'SLACK', status: 'CONNECTED', externalAccountId: SLACK_USER });
      expect(list.find((c) => c.id === teamsConnection.id)).toMatchObject({ provider: 'MICROSOFT_TEAMS', status: 'CONNECTED', externalAccountId: GRAPH_USER });
    }, 15_000, 250);
    // After connecting Teams, a presence subscription is created; Graph's validation handshake reached us through the gateway.
    await eventually(() => expect([...graph.subscriptions.values()].filter((s) => s.userId === GRAPH_USER).map((s) => [s.notificationUrl, s.lifecycleNotificationUrl])).toEqual([[`${PUBLIC_ORIGIN}/webhooks/microsoft-teams`, `${PUBLIC_ORIGIN}/webhooks/microsoft-teams/lifecycle`]]), 15_000, 250);
    // A lifecycle notification through the gateway: acknowledged with 202 and acted on (reauthorized at Graph).
    const [teamsSub] = [...graph.subscriptions.values()].filter((s) => s.userId === GRAPH_USER);
    expect((await graph.lifecycle(teamsSub!.id, 'reauthorizationRequired')).status).toBe(202);
    await eventually(() => expect(graph.calls).toContain(`POST /v1.0/subscriptions/${teamsSub!.id}/reauthorize`), 15_000, 250);

    // Start a focus session through the gateway.
    const started = (await q('mutation { startFocusSession(input: { plannedMinutes: 50 }) { id state plannedMinutes } }')).startFocusSession;
    expect(started).toMatchObject({ state: 'ACTIVE', plannedMinutes: 50 });
    await eventually(() => {
      expect(slack.profiles.get(SLACK_USER)).toMatchObject({ status_text: FOCUS_STATUS.status_text, status_emoji: FOCUS_STATUS.status_emoji });
      expect(slack.profiles.get(SLACK_USER)!.status_text).toMatch(/Focusing/);
      expect(slack.profiles.get(SLACK_USER)!.status_expiration).toBeGreaterThan(Date.now() / 1000 + 45 * 60);
      expect(slack.snooze.get(SLACK_USER)).toBeGreaterThan(Date.now() / 1000 + 45 * 60);
      const presence = graph.presence.get(GRAPH_USER)!;
      expect(presence.preferred).toMatchObject({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
      expect(presence.preferred!.expiresAt).toBeGreaterThan(Date.now() + 45 * 60_000);
      expect(presence.statusMessage?.message.content).toBe(TEAMS_FOCUS_MESSAGE);
      expect(graph.effective(GRAPH_USER)).toEqual({ availability: 'DoNotDisturb', activity: 'DoNotDisturb' });
    }, 15_000, 250);

    // End it through the gateway: both restored.
    const ended = (await q('mutation($id: ID!) { endFocusSession(id: $id, input: { rating: 4 }) { id state endedAt } }', { id: started.id })).endFocusSession;
    expect(ended.id).toBe(started.id);
    expect(ended.endedAt).toBeTruthy();
    await eventually(() => {
      expect(slack.profiles.get(SLACK_USER)).toEqual(SLACK_BEFORE);
      expect(slack.snooze.get(SLACK_USER)).toBeNull();
      const presence = graph.presence.get(GRAPH_USER)!;
      expect(presence.preferred).toBeNull();
      expect(presence.statusMessage?.message.content).toBe('On site in Berlin');
      expect(graph.effective(GRAPH_USER)).toEqual({ availability: 'Available', activity: 'Available' });
    }, 15_000, 250);
    // And a summary DM from the app in its DM with the user (conversations.open + chat.postMessage with the
    // bot token): a DM that notifies the user, exactly one, and no self-DM from the user.
    await eventually(() => {
      const dms = slack.notifications(SLACK_USER);
      expect(dms).toHaveLength(1);
      expect(dms[0]).toMatchObject({ user: slack.botUserId, bot_id: slack.botId, app_id: slack.appId });
      expect(dms[0]!.text).toMatch(/^Focus session done: \d+ of 50 minutes, 0 interruptions, rated 4\/5\. Status restored\.$/);
      expect(slack.ims.get(dms[0]!.channel)).toEqual([slack.botUserId, SLACK_USER].sort());
    }, 15_000, 250);
    expect(slack.messages.filter((m) => m.user === SLACK_USER)).toHaveLength(0);

    // Tokens never reach the log (the bot token included).
    const output = stack.output();
    expect(output).not.toMatch(/xoxp-[0-9a-f]{10,}/);
    expect(output).not.toMatch(/xoxb-[0-9a-f]{10,}/);
    for (const token of [...slack.tokens.keys(), ...slack.botTokens.keys()]) expect(output).not.toContain(token);
    expect(output).not.toMatch(/ms-(access|refresh)-[0-9a-f-]{10,}/);
  }, 120_000);
});
