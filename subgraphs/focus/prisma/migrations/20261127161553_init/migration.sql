-- CreateEnum
CREATE TYPE "FocusSessionState" AS ENUM ('ACTIVE', 'PAUSED', 'COMPLETED');

-- CreateTable
CREATE TABLE "focus_sessions" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "state" "FocusSessionState" NOT NULL DEFAULT 'ACTIVE',
    "planned_minutes" INTEGER NOT NULL,
    "actual_minutes" DOUBLE PRECISION,
    "category" TEXT,
    "notes" TEXT,
    "rating" INTEGER,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "focus_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "focus_pauses" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "focus_pauses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "focus_interruptions" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "focus_interruptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "focus_sessions_organization_id_user_id_started_at_idx" ON "focus_sessions"("organization_id", "user_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "focus_pauses_session_id_idx" ON "focus_pauses"("session_id");

-- CreateIndex
CREATE INDEX "focus_interruptions_session_id_idx" ON "focus_interruptions"("session_id");

-- AddForeignKey
ALTER TABLE "focus_pauses" ADD CONSTRAINT "focus_pauses_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "focus_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "focus_interruptions" ADD CONSTRAINT "focus_interruptions_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "focus_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One running or paused session per user (Prisma cannot express partial indexes; written by hand).
CREATE UNIQUE INDEX "focus_sessions_one_open_per_user" ON "focus_sessions"("user_id") WHERE "state" IN ('ACTIVE', 'PAUSED');
