-- AlterTable
ALTER TABLE "ai_models" ADD COLUMN     "artifact_path" TEXT,
ADD COLUMN     "artifact_sha256" TEXT,
ADD COLUMN     "canary_share" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "config" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'candidate',
ADD COLUMN     "trained_at" TIMESTAMPTZ(3),
ADD COLUMN     "trained_on_scope" TEXT NOT NULL DEFAULT 'organization',
ADD COLUMN     "trained_on_user_id" UUID;

-- CreateTable
CREATE TABLE "focus_session_facts" (
    "session_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "planned_minutes" INTEGER NOT NULL,
    "actual_minutes" DOUBLE PRECISION NOT NULL,
    "rating" INTEGER,
    "interruptions" INTEGER,
    "category" TEXT,
    "notes" TEXT,
    "source" TEXT NOT NULL DEFAULT 'event',
    "event_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "focus_session_facts_pkey" PRIMARY KEY ("session_id")
);

-- CreateTable
CREATE TABLE "insights_user_settings" (
    "user_id" UUID NOT NULL,
    "opt_out" BOOLEAN NOT NULL DEFAULT false,
    "timezone" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "insights_user_settings_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "focus_session_facts_organization_id_user_id_started_at_idx" ON "focus_session_facts"("organization_id", "user_id", "started_at");

-- CreateIndex
CREATE INDEX "focus_session_facts_organization_id_started_at_idx" ON "focus_session_facts"("organization_id", "started_at");

-- CreateIndex
CREATE INDEX "ai_models_organization_id_name_status_idx" ON "ai_models"("organization_id", "name", "status");
