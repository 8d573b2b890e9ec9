using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Audit;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Logs;

/// <summary>ログ → 監査ログ: who changed what, with a details dialog (フィールド / 新しい値 / 以前の値).</summary>
public sealed class AuditLogModel(AuditService audit) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty(SupportsGet = true)] public int Limit { get; set; } = 200;

    public IReadOnlyList<AuditRecord> Records { get; private set; } = [];

    public async Task OnGetAsync() => Records = await audit.QueryAsync(null, Type, Limit, Actor, HttpContext.RequestAborted);
}
