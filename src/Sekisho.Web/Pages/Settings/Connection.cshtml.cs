using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model;
using Sekisho.Model.Settings;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Settings;

/// <summary>
/// 接続フィルタ: approved and blocked IPs (one per line, with a description), IP reputation and DNS blocklists by level,
/// approved and blocked senders (one per line, optionally for one domain or recipient), recipient validation and rate limits.
/// </summary>
public sealed class ConnectionSettingsModel(ConnectionSettingsService settings) : ConsolePage
{
    [BindProperty] public string? ApprovedIps { get; set; }
    [BindProperty] public string? BlockedIps { get; set; }
    [BindProperty] public bool IpReputationEnabled { get; set; }
    [BindProperty] public string? IpReputationLevel { get; set; }
    [BindProperty] public string? DnsBlocklists { get; set; }
    [BindProperty] public bool BypassSpamForApprovedIps { get; set; }
    [BindProperty] public string? ApprovedSenders { get; set; }
    [BindProperty] public string? BlockedSenders { get; set; }
    [BindProperty] public bool MatchHeaderAddresses { get; set; }
    [BindProperty] public bool ValidateRecipients { get; set; }
    [BindProperty] public string? RateLimitPerClientIp { get; set; }
    [BindProperty] public string? RateLimitPerRecipient { get; set; }

    public int EndUserSenders { get; private set; }
    public bool Writable => CanWrite;

    public async Task OnGetAsync() => Show(ConnectionSettingsDto.From(await settings.GetAsync(Actor, HttpContext.RequestAborted)));

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        await settings.SaveAsync(ConnectionSettingsForm.Parse(this), Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("settings.saved"));
        return Redirect("/settings/connection");
    }, async () =>
    {
        EndUserSenders = ConnectionSettingsDto.From(await settings.GetAsync(Actor, HttpContext.RequestAborted)).EndUserSenders ?? 0;
        return Page();
    });

    private void Show(ConnectionSettingsDto d)
    {
        static string Lines(IEnumerable<string> lines) => string.Join('\n', lines);
        ApprovedIps = Lines(d.ApprovedIps!.Select(e => (e.Cidr + " " + e.Description).Trim()));
        BlockedIps = Lines(d.BlockedIps!.Select(e => (e.Cidr + " " + e.Description).Trim()));
        IpReputationEnabled = d.IpReputationEnabled == true;
        IpReputationLevel = d.IpReputationLevel?.ToString(CultureInfo.InvariantCulture);
        DnsBlocklists = Lines(d.DnsBlocklists!.Select(b => $"{b.Zone} {b.MinimumLevel} {string.Join(',', b.ReturnCodes ?? [])}".Trim()));
        BypassSpamForApprovedIps = d.BypassSpamForApprovedIps == true;
        ApprovedSenders = Lines(Senders(d, "approved"));
        BlockedSenders = Lines(Senders(d, "blocked"));
        MatchHeaderAddresses = d.MatchHeaderAddresses == true;
        ValidateRecipients = d.ValidateRecipients == true;
        RateLimitPerClientIp = d.RateLimitPerClientIpPerMinute?.ToString(CultureInfo.InvariantCulture);
        RateLimitPerRecipient = d.RateLimitPerRecipientPerMinute?.ToString(CultureInfo.InvariantCulture);
        EndUserSenders = d.EndUserSenders ?? 0;
    }

    private static IEnumerable<string> Senders(ConnectionSettingsDto d, string list) =>
        d.Senders!.Where(e => e.List == list).Select(e => (e.Sender + " " + e.ScopeValue).Trim());
}

/// <summary>Reads the connection filtering form's text fields (one entry per line) into a change; numbers that are not numbers are refused.</summary>
internal static class ConnectionSettingsForm
{
    public static ConnectionSettingsDto Parse(ConnectionSettingsModel f)
    {
        var problems = new List<LocalizedText>();
        var change = new ConnectionSettingsDto
        {
            ApprovedIps = Ips(f.ApprovedIps),
            BlockedIps = Ips(f.BlockedIps),
            IpReputationEnabled = f.IpReputationEnabled,
            IpReputationLevel = Number(f.IpReputationLevel, ConsoleText.T("settings.ip-reputation-level"), problems),
            DnsBlocklists = Lines(f.DnsBlocklists).Select(line =>
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                int level = 1;
                if (parts.Length > 1 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out level))
                    problems.Add(new($"「{line}」のレベル「{parts[1]}」は数字ではありません。", $"The level '{parts[1]}' in '{line}' is not a number."));
                return new DnsBlocklistDto(parts[0], level, parts.Length > 2 ? parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries) : []);
            }).ToList(),
            BypassSpamForApprovedIps = f.BypassSpamForApprovedIps,
            ValidateRecipients = f.ValidateRecipients,
            RateLimitPerClientIpPerMinute = Number(f.RateLimitPerClientIp, ConsoleText.T("settings.rate-client"), problems),
            RateLimitPerRecipientPerMinute = Number(f.RateLimitPerRecipient, ConsoleText.T("settings.rate-recipient"), problems),
            Senders = [.. Senders(f.ApprovedSenders, "approved"), .. Senders(f.BlockedSenders, "blocked")],
            MatchHeaderAddresses = f.MatchHeaderAddresses,
        };
        if (problems.Count > 0)
            throw new ConsoleProblem("settings.connection.invalid", new LocalizedText(string.Join(" ", problems.Select(p => p.Ja)), string.Join(" ", problems.Select(p => p.En))));
        return change;
    }

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    private static List<IpEntryDto> Ips(string? text) => Lines(text).Select(line =>
    {
        var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        return new IpEntryDto(parts[0], parts.Length > 1 ? parts[1] : "");
    }).ToList();

    private static IEnumerable<SenderEntryDto> Senders(string? text, string list) => Lines(text).Select(line =>
    {
        var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        return new SenderEntryDto(list, parts[0], null, parts.Length > 1 ? parts[1].Trim() : null);
    }).ToList();

    private static int? Number(string? text, string label, List<LocalizedText> problems)
    {
        if (int.TryParse((text ?? "").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        problems.Add(new($"{label}:「{text}」は数字ではありません。", $"{label}: '{text}' is not a number."));
        return null;
    }
}
