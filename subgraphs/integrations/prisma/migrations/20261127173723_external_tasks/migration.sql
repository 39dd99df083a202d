-- CreateTable
CREATE TABLE "external_tasks" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "provider" "Provider" NOT NULL,
    "external_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "status_category" TEXT NOT NULL,
    "url" TEXT,
    "remote_updated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "external_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "external_tasks_organization_id_user_id_updated_at_idx" ON "external_tasks"("organization_id", "user_id", "updated_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "external_tasks_connection_id_external_id_key" ON "external_tasks"("connection_id", "external_id");

-- AddForeignKey
ALTER TABLE "external_tasks" ADD CONSTRAINT "external_tasks_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "provider_integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
