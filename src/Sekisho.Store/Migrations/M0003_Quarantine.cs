using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sekisho.Store.Schema;

namespace Sekisho.Store.Migrations;

/// <summary>The quarantine: one row per quarantined recipient copy, with the raw message and the policy trace.</summary>
[DbContext(typeof(SekishoDbContext))]
[Migration("0003_Quarantine")]
internal sealed class M0003_Quarantine : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("quarantine", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            recipient = t.Column<string>(nullable: false),
            sender = t.Column<string>(nullable: false),
            direction = t.Column<string>(nullable: false),
            subject = t.Column<string>(nullable: false),
            rule_id = t.Column<string>(nullable: false),
            rule_name = t.Column<string>(nullable: false),
            reason = t.Column<string>(nullable: false),
            area = t.Column<string>(nullable: true),
            queue_id = t.Column<string>(nullable: true),
            received_utc = t.Column<DateTime>(nullable: false),
            quarantined_utc = t.Column<DateTime>(nullable: false),
            expires_utc = t.Column<DateTime>(nullable: false),
            size = t.Column<long>(nullable: false),
            trace = t.Column<string>(nullable: false),
            content = t.Column<byte[]>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_quarantine", x => x.id);
            t.ForeignKey("fk_quarantine_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_quarantine_org_time", "quarantine", ["organization_id", "quarantined_utc"]);
        m.CreateIndex("ix_quarantine_org_recipient", "quarantine", ["organization_id", "recipient"]);
        m.CreateIndex("ix_quarantine_expires", "quarantine", ["expires_utc"]);
    }

    protected override void Down(MigrationBuilder m) => m.DropTable("quarantine");
}
