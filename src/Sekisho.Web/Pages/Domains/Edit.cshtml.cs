using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Domains;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Domains;

/// <summary>ドメインの追加 / 編集: name, inbound servers (host, port, preference), outbound servers.</summary>
public sealed class EditDomainModel(DomainService domains) : ConsolePage
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? InboundServers { get; set; }
    [BindProperty] public string? OutboundIps { get; set; }
    [BindProperty(Name = "original")] public string? Original { get; set; }

    public bool IsNew => string.IsNullOrEmpty(Original);
    public bool Writable => CanWrite;

    public async Task<IActionResult> OnGetAsync(string? name)
    {
        if (string.IsNullOrEmpty(name)) return Page();
        try
        {
            var d = await domains.GetAsync(name, Actor, HttpContext.RequestAborted);
            Original = Name = d.Name;
            InboundServers = string.Join('\n', d.InboundServers.Select(s => $"{(s.Recipient == InboundServer.AnyRecipient ? "" : s.Recipient + "=")}{s.Host}:{s.Port},{s.Preference}"));
            OutboundIps = string.Join('\n', d.Outbound.AllowedIps);
            return Page();
        }
        catch (ConsoleProblem) { return NotFound(); }
    }

    public Task<IActionResult> OnPostRemoveAsync() => ChangeAsync(async () =>
    {
        await domains.RemoveAsync(Original ?? "", Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("domains.removed", Original));
        return Redirect("/domains");
    }, () => Task.FromResult<IActionResult>(Page()));

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var input = new DomainInput(Name ?? "", InboundServers, OutboundIps);
        var d = IsNew ? await domains.AddAsync(input, Actor, HttpContext.RequestAborted) : await domains.UpdateAsync(Original!, input, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T(IsNew ? "domains.added" : "domains.saved", d.Name));
        return Redirect("/domains");
    }, () => Task.FromResult<IActionResult>(Page()));
}
