using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Serialization;
using Sekisho.Smtp;
using Sekisho.Smtp.Tracking;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Logs;

/// <summary>ログ → メールトラッキング: what the gateway did with each recipient, queried by period, direction, addresses, subject, status and Message-ID.</summary>
public sealed class MailTrackingModel(MailLogService logs) : ConsolePage
{
    /// <summary>Most rows a log page shows (newest first).</summary>
    public const int PageLimit = 500;

    [BindProperty(SupportsGet = true)] public int Days { get; set; } = 1;
    [BindProperty(SupportsGet = true)] public string? Direction { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sender { get; set; }
    [BindProperty(SupportsGet = true)] public string? Recipient { get; set; }
    [BindProperty(SupportsGet = true)] public string? Subject { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? MessageId { get; set; }

    public IReadOnlyList<MailTrackingRecord> Records { get; private set; } = [];

    public async Task OnGetAsync()
    {
        TrackingAction? status = ModelJson.TryParseEnum<TrackingAction>(Status, out var s) ? s : null;
        Records = await logs.QueryAsync(new MailLogFilter(Since(Days), null, DirectionOf(Direction), Sender, Recipient, Subject, status, MessageId, PageLimit), HttpContext.RequestAborted);
    }

    internal static DateTimeOffset? Since(int days) => days > 0 ? DateTimeOffset.UtcNow.AddDays(-Math.Min(days, 3650)) : null;

    internal static MailDirection? DirectionOf(string? d) => d switch
    {
        "inbound" => MailDirection.Inbound,
        "outbound" => MailDirection.Outbound,
        _ => null,
    };

    public static string When(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
}

/// <summary>ログ → メールトラッキング → one record in full.</summary>
public sealed class MailTrackingDetailModel(MailLogService logs) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Key { get; set; }

    public MailTrackingRecord? Record { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        try
        {
            Record = await logs.GetAsync(Key ?? "", HttpContext.RequestAborted);
            return Page();
        }
        catch (ConsoleProblem) { return NotFound(); }
    }
}

/// <summary>ログ → ポリシーイベント: messages on which a rule matched, queried by period, direction, rule, sender and recipient.</summary>
public sealed class PolicyEventsModel(MailLogService logs) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public int Days { get; set; } = 7;
    [BindProperty(SupportsGet = true)] public string? Direction { get; set; }
    [BindProperty(SupportsGet = true)] public string? Rule { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sender { get; set; }
    [BindProperty(SupportsGet = true)] public string? Recipient { get; set; }

    public IReadOnlyList<PolicyEvent> Events { get; private set; } = [];

    public async Task OnGetAsync() => Events = await logs.PolicyEventsAsync(
        new PolicyEventFilter(MailTrackingModel.Since(Days), null, MailTrackingModel.DirectionOf(Direction), Rule, Sender, Recipient, MailTrackingModel.PageLimit), Actor, HttpContext.RequestAborted);
}
