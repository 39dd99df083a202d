-- CreateTable
CREATE TABLE "habit_checkin_facts" (
    "habit_id" UUID NOT NULL,
    "date" TEXT NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" INTEGER NOT NULL,
    "target_value" INTEGER NOT NULL,
    "completed" BOOLEAN NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "habit_checkin_facts_pkey" PRIMARY KEY ("habit_id","date")
);

-- CreateTable
CREATE TABLE "goal_progress_facts" (
    "event_id" UUID NOT NULL,
    "goal_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "target" DOUBLE PRECISION NOT NULL,
    "status" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "goal_progress_facts_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "focus_session_activity" (
    "session_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "planned_minutes" INTEGER NOT NULL,
    "pauses" INTEGER NOT NULL DEFAULT 0,
    "focused_minutes" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "focus_session_activity_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "insights" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "session_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "insights_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "habit_checkin_facts_organization_id_user_id_idx" ON "habit_checkin_facts"("organization_id", "user_id");

-- CreateIndex
CREATE INDEX "goal_progress_facts_organization_id_user_id_goal_id_recorde_idx" ON "goal_progress_facts"("organization_id", "user_id", "goal_id", "recorded_at");

-- CreateIndex
CREATE INDEX "focus_session_activity_organization_id_user_id_started_at_idx" ON "focus_session_activity"("organization_id", "user_id", "started_at");

-- CreateIndex
CREATE INDEX "insights_organization_id_user_id_created_at_idx" ON "insights"("organization_id", "user_id", "created_at");
