using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using Sekisho.Store.Schema;

namespace Sekisho.Store.Migrations;

// Schema migrations are written by hand, without provider-specific column types, so that one migration
// serves SQLite and PostgreSQL alike: each provider maps the CLR type of a column to its own type.
// Add a new class M000N_Name for every schema change; never edit an applied one.

/// <summary>The first schema: organizations, domains, rules, policy objects, settings, audit log.</summary>
[DbContext(typeof(SekishoDbContext))]
[Migration("0001_Initial")]
internal sealed class M0001_Initial : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("organizations", t => new
        {
            id = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            created_utc = t.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_organizations", x => x.id));
        m.CreateIndex("ux_organizations_name", "organizations", "name", unique: true);

        m.CreateTable("domains", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            status = t.Column<string>(nullable: false),
            added_utc = t.Column<DateTime>(nullable: false),
            document = t.Column<string>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_domains", x => x.id);
            t.ForeignKey("fk_domains_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ux_domains_org_name", "domains", ["organization_id", "name"], unique: true);

        m.CreateTable("rules", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            direction = t.Column<string>(nullable: false),
            type = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            order_number = t.Column<int>(nullable: false),
            enabled = t.Column<bool>(nullable: false),
            migration_status = t.Column<string>(nullable: true),
            level = t.Column<string>(nullable: false),
            created_utc = t.Column<DateTime>(nullable: false),
            modified_utc = t.Column<DateTime>(nullable: false),
            last_used_utc = t.Column<DateTime>(nullable: true),
            source_sha256 = t.Column<string>(nullable: true),
            source_id = t.Column<string>(nullable: true),
            document = t.Column<string>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_rules", x => x.id);
            t.ForeignKey("fk_rules_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_rules_org_order", "rules", ["organization_id", "direction", "type", "order_number"]);
        m.CreateIndex("ux_rules_org_name", "rules", ["organization_id", "direction", "type", "name"], unique: true);

        m.CreateTable("policy_objects", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            kind = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            source_sha256 = t.Column<string>(nullable: true),
            source_id = t.Column<string>(nullable: true),
            modified_utc = t.Column<DateTime>(nullable: false),
            document = t.Column<string>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_policy_objects", x => x.id);
            t.ForeignKey("fk_policy_objects_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ux_policy_objects_org_kind_name", "policy_objects", ["organization_id", "kind", "name"], unique: true);

        m.CreateTable("settings", t => new
        {
            organization_id = t.Column<string>(nullable: false),
            modified_utc = t.Column<DateTime>(nullable: false),
            document = t.Column<string>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_settings", x => x.organization_id);
            t.ForeignKey("fk_settings_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });

        m.CreateTable("audit_log", t => new
        {
            id = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            organization_id = t.Column<string>(nullable: false),
            time_utc = t.Column<DateTime>(nullable: false),
            actor = t.Column<string>(nullable: false),
            event_type = t.Column<string>(nullable: false),
            subject = t.Column<string>(nullable: true),
            affected_domains = t.Column<string>(nullable: false),
            changes = t.Column<string>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_audit_log", x => x.id));
        m.CreateIndex("ix_audit_org_time", "audit_log", ["organization_id", "time_utc"]);
    }

    protected override void Down(MigrationBuilder m)
    {
        foreach (var table in new[] { "audit_log", "settings", "policy_objects", "rules", "domains", "organizations" })
            m.DropTable(table);
    }
}
