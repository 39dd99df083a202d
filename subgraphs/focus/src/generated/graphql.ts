import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { SessionWithDetails } from '../data/sessions.js';
import type { UserReference } from '../resolvers/user.js';
import type { Context } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC, e.g. 2026-11-27T16:00:00.000Z. */
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type EndFocusSessionInput = {
  notes?: InputMaybe<Scalars['String']['input']>;
  /** Self-rating, 1 (poor) to 5 (excellent). */
  rating?: InputMaybe<Scalars['Int']['input']>;
};

export type FocusDayStat = {
  __typename?: 'FocusDayStat';
  averageRating: Maybe<Scalars['Float']['output']>;
  /** Local date in the user's time zone, YYYY-MM-DD. */
  date: Scalars['String']['output'];
  focusMinutes: Scalars['Float']['output'];
  sessions: Scalars['Int']['output'];
};

export type FocusInterruption = {
  __typename?: 'FocusInterruption';
  occurredAt: Scalars['DateTime']['output'];
  reason: Scalars['String']['output'];
};

export type FocusPause = {
  __typename?: 'FocusPause';
  endedAt: Maybe<Scalars['DateTime']['output']>;
  startedAt: Scalars['DateTime']['output'];
};

export type FocusSession = {
  __typename?: 'FocusSession';
  /** Focused minutes: so far while running, final once completed (pauses excluded). */
  actualMinutes: Scalars['Float']['output'];
  category: Maybe<Scalars['String']['output']>;
  endedAt: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  interruptions: Array<FocusInterruption>;
  notes: Maybe<Scalars['String']['output']>;
  pauses: Array<FocusPause>;
  plannedMinutes: Scalars['Int']['output'];
  rating: Maybe<Scalars['Int']['output']>;
  startedAt: Scalars['DateTime']['output'];
  state: FocusSessionState;
  user: User;
};

export type FocusSessionConnection = {
  __typename?: 'FocusSessionConnection';
  edges: Array<FocusSessionEdge>;
  pageInfo: PageInfo;
};

export type FocusSessionEdge = {
  __typename?: 'FocusSessionEdge';
  cursor: Scalars['String']['output'];
  node: FocusSession;
};

export type FocusSessionState =
  | 'ACTIVE'
  | 'COMPLETED'
  | 'PAUSED';

export type FocusStats = {
  __typename?: 'FocusStats';
  averageRating: Maybe<Scalars['Float']['output']>;
  /** Consecutive local days with a completed session, up to today (today counts once it has one). */
  currentStreak: Scalars['Int']['output'];
  days: Array<FocusDayStat>;
  longestStreak: Scalars['Int']['output'];
  sessions: Scalars['Int']['output'];
  timezone: Scalars['String']['output'];
  totalMinutes: Scalars['Float']['output'];
  weeks: Array<FocusWeekStat>;
};

export type FocusWeekStat = {
  __typename?: 'FocusWeekStat';
  averageRating: Maybe<Scalars['Float']['output']>;
  focusMinutes: Scalars['Float']['output'];
  sessions: Scalars['Int']['output'];
  /** Monday of the ISO week, YYYY-MM-DD, in the user's time zone. */
  weekStart: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Ends a session; actual minutes are the elapsed time minus pauses. */
  endFocusSession: FocusSession;
  pauseFocusSession: FocusSession;
  /** Records an interruption (a reason such as 'Slack message') on a running or paused session. */
  recordInterruption: FocusSession;
  resumeFocusSession: FocusSession;
  /** Starts a session. Only one session per user can be running or paused at a time. */
  startFocusSession: FocusSession;
  /** Changes notes, category or rating of one of your sessions. */
  updateFocusSession: FocusSession;
};


export type MutationEndFocusSessionArgs = {
  id: Scalars['ID']['input'];
  input?: InputMaybe<EndFocusSessionInput>;
};


export type MutationPauseFocusSessionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRecordInterruptionArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationResumeFocusSessionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationStartFocusSessionArgs = {
  input: StartFocusSessionInput;
};


export type MutationUpdateFocusSessionArgs = {
  id: Scalars['ID']['input'];
  input: UpdateFocusSessionInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** The caller's running or paused session in the active organization, if any. */
  activeFocusSession: Maybe<FocusSession>;
  /** One of the caller's sessions (or a member's, for ADMIN and MANAGER). */
  focusSession: Maybe<FocusSession>;
};


export type QueryFocusSessionArgs = {
  id: Scalars['ID']['input'];
};

export type StartFocusSessionInput = {
  category?: InputMaybe<Scalars['String']['input']>;
  notes?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 720. */
  plannedMinutes: Scalars['Int']['input'];
};

export type UpdateFocusSessionInput = {
  category?: InputMaybe<Scalars['String']['input']>;
  notes?: InputMaybe<Scalars['String']['input']>;
  rating?: InputMaybe<Scalars['Int']['input']>;
};

export type User = {
  __typename?: 'User';
  /** Completed and running sessions, newest first. from/to filter on the start time. */
  focusSessions: FocusSessionConnection;
  /** Statistics per local day and ISO week between two local dates (inclusive, at most 366 days). */
  focusStats: FocusStats;
  id: Scalars['ID']['output'];
  timezone: Scalars['String']['output'];
};


export type UserFocusSessionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  from?: InputMaybe<Scalars['DateTime']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
};


export type UserFocusStatsArgs = {
  from: Scalars['String']['input'];
  to: Scalars['String']['input'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  FocusSession: FocusSession;
  User: User;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  FocusSession:
    ( { __typename: 'FocusSession' }
    & GraphQLRecursivePick<FederationTypes['FocusSession'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['User'], {"timezone":true}> ) );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  EndFocusSessionInput: EndFocusSessionInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  FocusDayStat: ResolverTypeWrapper<FocusDayStat>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  FocusInterruption: ResolverTypeWrapper<FocusInterruption>;
  FocusPause: ResolverTypeWrapper<FocusPause>;
  FocusSession: ResolverTypeWrapper<SessionWithDetails>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  FocusSessionConnection: ResolverTypeWrapper<Omit<FocusSessionConnection, 'edges'> & { edges: Array<ResolversTypes['FocusSessionEdge']> }>;
  FocusSessionEdge: ResolverTypeWrapper<Omit<FocusSessionEdge, 'node'> & { node: ResolversTypes['FocusSession'] }>;
  FocusSessionState: FocusSessionState;
  FocusStats: ResolverTypeWrapper<FocusStats>;
  FocusWeekStat: ResolverTypeWrapper<FocusWeekStat>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  StartFocusSessionInput: StartFocusSessionInput;
  UpdateFocusSessionInput: UpdateFocusSessionInput;
  User: ResolverTypeWrapper<UserReference>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  DateTime: Scalars['DateTime']['output'];
  EndFocusSessionInput: EndFocusSessionInput;
  String: Scalars['String']['output'];
  Int: Scalars['Int']['output'];
  FocusDayStat: FocusDayStat;
  Float: Scalars['Float']['output'];
  FocusInterruption: FocusInterruption;
  FocusPause: FocusPause;
  FocusSession: SessionWithDetails;
  ID: Scalars['ID']['output'];
  FocusSessionConnection: Omit<FocusSessionConnection, 'edges'> & { edges: Array<ResolversParentTypes['FocusSessionEdge']> };
  FocusSessionEdge: Omit<FocusSessionEdge, 'node'> & { node: ResolversParentTypes['FocusSession'] };
  FocusStats: FocusStats;
  FocusWeekStat: FocusWeekStat;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  StartFocusSessionInput: StartFocusSessionInput;
  UpdateFocusSessionInput: UpdateFocusSessionInput;
  User: UserReference;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type FocusDayStatResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusDayStat'] = ResolversParentTypes['FocusDayStat']> = {
  averageRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  date?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  focusMinutes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  sessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type FocusInterruptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusInterruption'] = ResolversParentTypes['FocusInterruption']> = {
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type FocusPauseResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusPause'] = ResolversParentTypes['FocusPause']> = {
  endedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type FocusSessionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusSession'] = ResolversParentTypes['FocusSession'], FederationReferenceType extends FederationReferenceTypes['FocusSession'] = FederationReferenceTypes['FocusSession']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['FocusSession']> | FederationReferenceType, FederationReferenceType, ContextType>;
  actualMinutes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  category?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  endedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  interruptions?: Resolver<Array<ResolversTypes['FocusInterruption']>, ParentType, ContextType>;
  notes?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  pauses?: Resolver<Array<ResolversTypes['FocusPause']>, ParentType, ContextType>;
  plannedMinutes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rating?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['FocusSessionState'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type FocusSessionConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusSessionConnection'] = ResolversParentTypes['FocusSessionConnection']> = {
  edges?: Resolver<Array<ResolversTypes['FocusSessionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type FocusSessionEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusSessionEdge'] = ResolversParentTypes['FocusSessionEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType>;
};

export type FocusStatsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusStats'] = ResolversParentTypes['FocusStats']> = {
  averageRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  currentStreak?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  days?: Resolver<Array<ResolversTypes['FocusDayStat']>, ParentType, ContextType>;
  longestStreak?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  timezone?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  totalMinutes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  weeks?: Resolver<Array<ResolversTypes['FocusWeekStat']>, ParentType, ContextType>;
};

export type FocusWeekStatResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FocusWeekStat'] = ResolversParentTypes['FocusWeekStat']> = {
  averageRating?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  focusMinutes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  sessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  weekStart?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  endFocusSession?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType, RequireFields<MutationEndFocusSessionArgs, 'id'>>;
  pauseFocusSession?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType, RequireFields<MutationPauseFocusSessionArgs, 'id'>>;
  recordInterruption?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType, RequireFields<MutationRecordInterruptionArgs, 'id' | 'reason'>>;
  resumeFocusSession?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType, RequireFields<MutationResumeFocusSessionArgs, 'id'>>;
  startFocusSession?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType, RequireFields<MutationStartFocusSessionArgs, 'input'>>;
  updateFocusSession?: Resolver<ResolversTypes['FocusSession'], ParentType, ContextType, RequireFields<MutationUpdateFocusSessionArgs, 'id' | 'input'>>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  activeFocusSession?: Resolver<Maybe<ResolversTypes['FocusSession']>, ParentType, ContextType>;
  focusSession?: Resolver<Maybe<ResolversTypes['FocusSession']>, ParentType, ContextType, RequireFields<QueryFocusSessionArgs, 'id'>>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  focusSessions?: Resolver<ResolversTypes['FocusSessionConnection'], ParentType, ContextType, RequireFields<UserFocusSessionsArgs, 'first'>>;
  focusStats?: Resolver<ResolversTypes['FocusStats'], ParentType, ContextType, RequireFields<UserFocusStatsArgs, 'from' | 'to'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  DateTime?: GraphQLScalarType;
  FocusDayStat?: FocusDayStatResolvers<ContextType>;
  FocusInterruption?: FocusInterruptionResolvers<ContextType>;
  FocusPause?: FocusPauseResolvers<ContextType>;
  FocusSession?: FocusSessionResolvers<ContextType>;
  FocusSessionConnection?: FocusSessionConnectionResolvers<ContextType>;
  FocusSessionEdge?: FocusSessionEdgeResolvers<ContextType>;
  FocusStats?: FocusStatsResolvers<ContextType>;
  FocusWeekStat?: FocusWeekStatResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

