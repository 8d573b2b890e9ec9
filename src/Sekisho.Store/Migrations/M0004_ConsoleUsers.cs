using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sekisho.Store.Schema;

namespace Sekisho.Store.Migrations;

/// <summary>Administrators of the console and their API tokens.</summary>
[DbContext(typeof(SekishoDbContext))]
[Migration("0004_ConsoleUsers")]
internal sealed class M0004_ConsoleUsers : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("console_users", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            role = t.Column<string>(nullable: false),
            password_hash = t.Column<string>(nullable: false),
            totp_secret = t.Column<string>(nullable: true),
            failed_logins = t.Column<int>(nullable: false),
            locked_until_utc = t.Column<DateTime>(nullable: true),
            created_utc = t.Column<DateTime>(nullable: false),
            last_login_utc = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_console_users", x => x.id);
            t.ForeignKey("fk_console_users_org", x => x.organization_id, "organizations", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ux_console_users_org_name", "console_users", ["organization_id", "name"], unique: true);

        m.CreateTable("api_tokens", t => new
        {
            id = t.Column<string>(nullable: false),
            organization_id = t.Column<string>(nullable: false),
            user_id = t.Column<string>(nullable: false),
            name = t.Column<string>(nullable: false),
            token_sha256 = t.Column<string>(nullable: false),
            created_utc = t.Column<DateTime>(nullable: false),
            last_used_utc = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_api_tokens", x => x.id);
            t.ForeignKey("fk_api_tokens_user", x => x.user_id, "console_users", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ux_api_tokens_sha256", "api_tokens", "token_sha256", unique: true);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("api_tokens");
        m.DropTable("console_users");
    }
}
