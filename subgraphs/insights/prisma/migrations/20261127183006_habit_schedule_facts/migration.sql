-- CreateTable
CREATE TABLE "habit_schedule_facts" (
    "habit_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "title" TEXT,
    "rrule" TEXT NOT NULL,
    "times_per_week" INTEGER,
    "start_date" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "target_type" TEXT,
    "target_value" INTEGER NOT NULL,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "habit_schedule_facts_pkey" PRIMARY KEY ("habit_id")
);

-- CreateIndex
CREATE INDEX "habit_schedule_facts_organization_id_user_id_idx" ON "habit_schedule_facts"("organization_id", "user_id");
