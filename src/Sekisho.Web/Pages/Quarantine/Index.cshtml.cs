using Microsoft.AspNetCore.Mvc;
using Sekisho.Store;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Quarantine;

/// <summary>隔離: query the quarantine by period, direction, sender, recipient, subject and rule.</summary>
public sealed class QuarantineListModel(QuarantineService quarantine) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public int Days { get; set; } = 7;
    [BindProperty(SupportsGet = true)] public string? Direction { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sender { get; set; }
    [BindProperty(SupportsGet = true)] public string? Recipient { get; set; }
    [BindProperty(SupportsGet = true)] public string? Subject { get; set; }
    [BindProperty(SupportsGet = true)] public string? Rule { get; set; }

    public IReadOnlyList<QuarantinedMessage> Messages { get; private set; } = [];

    public async Task OnGetAsync()
    {
        global::Sekisho.Model.Rules.Direction? direction = Direction switch
        {
            "inbound" => global::Sekisho.Model.Rules.Direction.Inbound,
            "outbound" => global::Sekisho.Model.Rules.Direction.Outbound,
            _ => null,
        };
        DateTimeOffset? since = Days > 0 ? DateTimeOffset.UtcNow.AddDays(-Math.Min(Days, 3650)) : null;
        Messages = await quarantine.QueryAsync(new QuarantineFilter(since, direction, Sender, Recipient, Subject, Rule, 500), HttpContext.RequestAborted);
    }
}

/// <summary>隔離 → one message: facts, rule, reason, the policy trace; release, delete, download.</summary>
public sealed class QuarantineDetailModel(QuarantineService quarantine) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Id { get; set; }

    public QuarantinedMessage? Message { get; private set; }
    public string? Trace { get; private set; }
    public bool Writable => CanWrite;

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnGetDownloadAsync()
    {
        try
        {
            var (m, content) = await quarantine.ContentAsync(Id ?? "", HttpContext.RequestAborted);
            return File(content, "message/rfc822", m.Id + ".eml");
        }
        catch (ConsoleProblem) { return NotFound(); }
    }

    public Task<IActionResult> OnPostReleaseAsync() => ChangeAsync(async () =>
    {
        var r = await quarantine.ReleaseAsync(Id ?? "", Actor, HttpContext.RequestAborted);
        Notice(r.Via is null ? ConsoleText.T("quarantine.release-kept", r.Id, ConsoleText.TOr("quarantine.outcome." + r.Outcome, r.Outcome))
            : ConsoleText.T("quarantine.released", r.Id, string.Join(", ", r.DeliveredTo), r.Via));
        return Redirect("/quarantine");
    }, async () => await LoadAsync() ? Page() : NotFound());

    public Task<IActionResult> OnPostDeleteAsync() => ChangeAsync(async () =>
    {
        await quarantine.DeleteAsync(Id ?? "", Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("quarantine.deleted", Id));
        return Redirect("/quarantine");
    }, async () => await LoadAsync() ? Page() : NotFound());

    private async Task<bool> LoadAsync()
    {
        try
        {
            Message = await quarantine.GetAsync(Id ?? "", HttpContext.RequestAborted);
        }
        catch (ConsoleProblem) { return false; }
        try
        {
            Trace = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(Message.Trace).RootElement,
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        catch (System.Text.Json.JsonException) { Trace = Message.Trace; }
        return true;
    }
}
