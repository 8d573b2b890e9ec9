using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Domains;
using Sekisho.Scanning.Dns;
using Sekisho.Smtp.Delivery;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Domains;

/// <summary>ドメイン: the list with status (設定が必要 / 完了), 確認方法 and 確認.</summary>
public sealed class DomainsModel(DomainService domains) : ConsolePage
{
    public IReadOnlyList<ManagedDomain> Domains { get; private set; } = [];
    public bool Writable => CanWrite;

    /// <summary>The domain whose inbound servers were just tested, and what the test found.</summary>
    public string? TestedDomain { get; private set; }
    public IReadOnlyList<InboundServerProbeResult> ConnectionTest { get; private set; } = [];

    public async Task OnGetAsync() => Domains = await domains.ListAsync(Actor, HttpContext.RequestAborted);

    /// <summary>接続テスト: shows the result on the list itself (the test changes nothing, so there is no redirect).</summary>
    public Task<IActionResult> OnPostTestConnectionAsync(string name) => ChangeAsync(async () =>
    {
        ConnectionTest = await domains.TestConnectionAsync(name, Actor, HttpContext.RequestAborted);
        TestedDomain = name;
        await OnGetAsync();
        return Page();
    }, async () => { await OnGetAsync(); return Page(); });

    public Task<IActionResult> OnPostVerifyAsync(string name) => ChangeAsync(async () =>
    {
        var v = await domains.VerifyAsync(name, Actor, HttpContext.RequestAborted);
        Notice(v.Outcome switch
        {
            OwnershipCheckOutcome.Verified => ConsoleText.T("domains.verified", v.Domain.Name),
            OwnershipCheckOutcome.RecordMissing => ConsoleText.T("domains.verify.missing", v.Domain.Name, v.Domain.VerificationRecord,
                v.TxtValues.Count == 0 ? "-" : string.Join(", ", v.TxtValues)),
            _ => ConsoleText.T("domains.verify.failed", v.Domain.Name, v.Error),
        });
        return RedirectToPage();
    }, async () => { await OnGetAsync(); return Page(); });
}
