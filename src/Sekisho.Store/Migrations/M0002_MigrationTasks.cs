using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sekisho.Store.Schema;

namespace Sekisho.Store.Migrations;

/// <summary>Migration tasks of the InterScan migration tool, with the latest task's reports.</summary>
[DbContext(typeof(SekishoDbContext))]
[Migration("0002_MigrationTasks")]
internal sealed class M0002_MigrationTasks : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("migration_tasks", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            file_name = t.Column<string>(nullable: false),
            sha256 = t.Column<string>(nullable: false),
            mode = t.Column<string>(nullable: false),
            state = t.Column<string>(nullable: false),
            created_utc = t.Column<DateTime>(nullable: false),
            completed_utc = t.Column<DateTime>(nullable: true),
            counts = t.Column<string>(nullable: false),
            error = t.Column<string>(nullable: true),
            analysis_report = t.Column<string>(nullable: true),
            migration_report = t.Column<string>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_migration_tasks", x => x.id);
            t.ForeignKey("fk_migration_tasks_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_migration_tasks_org_created", "migration_tasks", ["organization_id", "created_utc"]);
    }

    protected override void Down(MigrationBuilder m) => m.DropTable("migration_tasks");
}
