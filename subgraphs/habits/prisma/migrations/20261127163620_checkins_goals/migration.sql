-- CreateEnum
CREATE TYPE "HabitTargetType" AS ENUM ('COUNT', 'MINUTES');

-- CreateEnum
CREATE TYPE "GoalMetric" AS ENUM ('FOCUS_MINUTES', 'FOCUS_SESSIONS', 'HABIT_COMPLETIONS', 'MANUAL');

-- CreateEnum
CREATE TYPE "GoalProgressSource" AS ENUM ('CREATED', 'MANUAL', 'FOCUS_SESSION', 'HABIT_CHECK_IN', 'RECOMPUTE');

-- AlterTable (edited by hand: keep existing habits' targets; they start on the UTC day they were created)
ALTER TABLE "habits" ADD COLUMN     "reminder_time" TEXT,
ADD COLUMN     "start_date" DATE,
ADD COLUMN     "target_type" "HabitTargetType" NOT NULL DEFAULT 'COUNT',
ADD COLUMN     "target_value" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "times_per_week" INTEGER;
UPDATE "habits" SET "target_value" = "target_count", "start_date" = ("created_at" AT TIME ZONE 'UTC')::date;
ALTER TABLE "habits" ALTER COLUMN "start_date" SET NOT NULL, DROP COLUMN "target_count";

-- CreateTable
CREATE TABLE "habit_check_ins" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "habit_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "value" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "habit_check_ins_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "goals" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "metric" "GoalMetric" NOT NULL,
    "target" DOUBLE PRECISION NOT NULL,
    "start_date" DATE NOT NULL,
    "deadline" DATE NOT NULL,
    "milestones" DOUBLE PRECISION[],
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "goals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "goal_habits" (
    "goal_id" UUID NOT NULL,
    "habit_id" UUID NOT NULL,

    CONSTRAINT "goal_habits_pkey" PRIMARY KEY ("goal_id","habit_id")
);

-- CreateTable
CREATE TABLE "goal_progress" (
    "id" UUID NOT NULL,
    "goal_id" UUID NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "delta" DOUBLE PRECISION NOT NULL,
    "source" "GoalProgressSource" NOT NULL,
    "source_id" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "goal_progress_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "focus_session_facts" (
    "session_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "actual_minutes" DOUBLE PRECISION NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "focus_session_facts_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "user_profiles" (
    "user_id" UUID NOT NULL,
    "timezone" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_profiles_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "habit_check_ins_organization_id_user_id_date_idx" ON "habit_check_ins"("organization_id", "user_id", "date");

-- CreateIndex
CREATE UNIQUE INDEX "habit_check_ins_habit_id_date_key" ON "habit_check_ins"("habit_id", "date");

-- CreateIndex
CREATE INDEX "goals_organization_id_user_id_metric_idx" ON "goals"("organization_id", "user_id", "metric");

-- CreateIndex
CREATE INDEX "goal_habits_habit_id_idx" ON "goal_habits"("habit_id");

-- CreateIndex
CREATE INDEX "goal_progress_goal_id_recorded_at_idx" ON "goal_progress"("goal_id", "recorded_at");

-- CreateIndex
CREATE INDEX "focus_session_facts_organization_id_user_id_ended_at_idx" ON "focus_session_facts"("organization_id", "user_id", "ended_at");

-- AddForeignKey
ALTER TABLE "habit_check_ins" ADD CONSTRAINT "habit_check_ins_habit_id_fkey" FOREIGN KEY ("habit_id") REFERENCES "habits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "goal_habits" ADD CONSTRAINT "goal_habits_goal_id_fkey" FOREIGN KEY ("goal_id") REFERENCES "goals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "goal_habits" ADD CONSTRAINT "goal_habits_habit_id_fkey" FOREIGN KEY ("habit_id") REFERENCES "habits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "goal_progress" ADD CONSTRAINT "goal_progress_goal_id_fkey" FOREIGN KEY ("goal_id") REFERENCES "goals"("id") ON DELETE CASCADE ON UPDATE CASCADE;
