using System.Net;

namespace Sekisho.Web;

/// <summary>Settings of the administrator console and REST API.</summary>
public sealed class ConsoleOptions
{
    /// <summary>The DNS server the domain ownership check (確認) asks; null = the system's resolvers.</summary>
    public IPEndPoint? DnsResolver { get; set; }

    /// <summary>The name the console's connection test (接続テスト) says in EHLO to the inbound servers.</summary>
    public string HeloName { get; set; } = Dns.GetHostName();

    /// <summary>How long the connection test waits for each step (connect, greeting, each reply).</summary>
    public TimeSpan ConnectionTestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Failed sign-ins in a row that lock a user out.</summary>
    public int LockoutFailures { get; set; } = 5;

    /// <summary>How long a locked-out user must wait.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Largest InterScan export the migration tool accepts by upload.</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Idle time after which a console session ends.</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Where the console delivers released quarantined messages and quarantine digests (<c>HOST[:PORT]</c>), like <c>sekisho quarantine release --via</c>;
    /// null = into the running gateway's queue when the console runs inside <c>serve</c>, else the recipient domain's inbound servers.
    /// </summary>
    public string? ReleaseVia { get; set; }

    /// <summary>
    /// The mail tracking directory the gateway writes (JSON lines, <c>SPOOL/tracking</c>), read by ログ → メールトラッキング and
    /// ポリシーイベント; null = <c>DATA/spool/tracking</c> of the store's data directory, as <c>sekisho serve</c> and <c>sekisho log mail</c> use.
    /// </summary>
    public string? MailTrackingDirectory { get; set; }

    /// <summary>The policy events directory the gateway writes (JSON lines, <c>SPOOL/policy-events</c>); null = <c>DATA/spool/policy-events</c>.</summary>
    public string? PolicyEventsDirectory { get; set; }
    /// <summary>The address users reach the console at (<c>serve --public-url</c>): the base of the links in quarantine digests.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Send quarantine digests on the schedule of the end-user quarantine settings (on in <c>serve</c>; tests run digests by hand).</summary>
    public bool DigestSchedule { get; set; }

    /// <summary>The Chromium executable that prints PDF reports; null = <c>$SEKISHO_CHROMIUM</c> or a well-known path (as <c>sekisho migrate report --format pdf</c>).</summary>
    public string? ChromiumPath { get; set; }

    /// <summary>How long one PDF report may take to print (waiting for an earlier print included) before the console answers 503.</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromSeconds(90);
}
