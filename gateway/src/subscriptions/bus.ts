/**
 * What the subscription hub needs of @flowforge/events' EventBus (structurally the same interface:
 * `subscribe(group, topics, handler, { fromBeginning, ephemeral })`), kept local so the gateway does not depend
 * on more of that package than this.
 */
export interface BusEvent {
  id: string;
  type: string;
  time: string;
  subject: string;
  /** Organization id: subscribers of other organizations never see the event. */
  tenant: string;
  data: unknown;
}

export interface SubscriptionEventBus {
  readonly kind: 'in-process' | 'kafka';
  subscribe(
    group: string,
    topics: readonly string[],
    handler: (event: BusEvent, meta: { topic: string; attempt: number }) => Promise<void>,
    options?: { fromBeginning?: boolean; ephemeral?: boolean },
  ): Promise<{ close(): Promise<void> }>;
}
