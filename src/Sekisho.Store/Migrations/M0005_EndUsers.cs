using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sekisho.Store.Schema;

namespace Sekisho.Store.Migrations;

/// <summary>The end-user quarantine: local end-user accounts, used single-use digest links, and when each recipient last got a digest.</summary>
[DbContext(typeof(SekishoDbContext))]
[Migration("0005_EndUsers")]
internal sealed class M0005_EndUsers : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("end_users", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            address = t.Column<string>(nullable: false),
            password_hash = t.Column<string>(nullable: true),
            failed_logins = t.Column<int>(nullable: false),
            locked_until_utc = t.Column<DateTime>(nullable: true),
            created_utc = t.Column<DateTime>(nullable: false),
            last_login_utc = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_end_users", x => x.id);
            t.ForeignKey("fk_end_users_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ux_end_users_org_address", "end_users", ["organization_id", "address"], unique: true);

        m.CreateTable("end_user_used_links", t => new
        {
            nonce = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            used_utc = t.Column<DateTime>(nullable: false),
            expires_utc = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_end_user_used_links", x => x.nonce);
            t.ForeignKey("fk_end_user_used_links_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_end_user_used_links_expires", "end_user_used_links", "expires_utc");

        m.CreateTable("end_user_digests", t => new
        {
            organization_id = t.Column<string>(nullable: false),
            recipient = t.Column<string>(nullable: false),
            last_sent_utc = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_end_user_digests", x => new { x.organization_id, x.recipient });
            t.ForeignKey("fk_end_user_digests_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("end_user_digests");
        m.DropTable("end_user_used_links");
        m.DropTable("end_users");
    }
}
