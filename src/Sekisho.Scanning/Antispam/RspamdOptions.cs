using Sekisho.Model.Rules;

namespace Sekisho.Scanning.Antispam;

/// <summary>How the gateway reaches rspamd's normal worker and how its symbols become classification flags.</summary>
public sealed record RspamdOptions
{
    /// <summary>Normal-worker base URLs (e.g. <c>http://127.0.0.1:11333</c>), tried in order when one fails.</summary>
    public IReadOnlyList<Uri> Endpoints { get; init; } = [new("http://127.0.0.1:11333")];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Fail-open: when rspamd cannot answer, deliver marked with a header; fail-closed (default): defer.</summary>
    public bool FailOpen { get; init; }
    /// <summary>The gateway's host name, sent as <c>MTA-Name</c>.</summary>
    public string MtaName { get; init; } = "sekisho";
    public RspamdSymbolMap Symbols { get; init; } = new();
}

/// <summary>
/// Which rspamd symbols (exact names, or prefixes ending in <c>*</c>) mean phishing, BEC, graymail, social engineering,
/// or a listed URL. The defaults use symbols of rspamd's stock rules; operators add their own.
/// </summary>
public sealed record RspamdSymbolMap
{
    public IReadOnlyList<string> Phishing { get; init; } = ["PHISHING", "PHISHED_*", "DBL_PHISH", "PH_SURBL_MULTI", "SEM_URIBL_FRESH15_UNKNOWN_FAIL"];
    public IReadOnlyDictionary<BecMode, IReadOnlyList<string>> Bec { get; init; } = new Dictionary<BecMode, IReadOnlyList<string>>
    {
        [BecMode.DetectedByEngine] = ["SPOOF_DISPLAY_NAME", "FROM_NAME_HAS_TITLE_SPOOF"],
        [BecMode.SuspectedByEngine] = ["FREEMAIL_REPLYTO_NEQ_FROM_DOM", "SPOOF_REPLYTO", "REPLYTO_DOM_NEQ_FROM_DOM"],
    };
    public IReadOnlyDictionary<GraymailCategory, IReadOnlyList<string>> Graymail { get; init; } = new Dictionary<GraymailCategory, IReadOnlyList<string>>
    {
        [GraymailCategory.Marketing] = ["HAS_LIST_UNSUB"],
        [GraymailCategory.Bulk] = ["DCC_BULK", "BULK_*"],
        [GraymailCategory.Forum] = ["MAILLIST"],
    };
    public IReadOnlyList<string> SocialEngineering { get; init; } = ["OMOGRAPH_URL", "HOMOGRAPH_*", "MIXED_CHARSET_URL", "URL_IN_SUBJECT"];
    /// <summary>Symbols whose options are listed URLs/domains (URI blocklists).</summary>
    public IReadOnlyList<string> ListedUrls { get; init; } = ["URIBL_*", "SURBL_*", "DBL_*", "SEM_URIBL*", "RSPAMD_URIBL"];

    /// <summary>True when <paramref name="symbol"/> matches one of <paramref name="patterns"/>.</summary>
    public static bool Matches(IEnumerable<string> patterns, string symbol) =>
        patterns.Any(p => p.EndsWith('*')
            ? symbol.StartsWith(p[..^1], StringComparison.OrdinalIgnoreCase)
            : symbol.Equals(p, StringComparison.OrdinalIgnoreCase));
}
