using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Serialization;
using Sekisho.Model.Settings;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Settings;

/// <summary>
/// ドメインベースの認証: SPF (an action per result), DKIM verification and DMARC with ARC (the default policies for unspecified
/// domains), and DKIM signing keys per managed domain with the TXT record to publish; generate, switch off and remove keys.
/// </summary>
public sealed class AuthenticationSettingsModel(AuthenticationSettingsService settings, DomainService domains) : ConsolePage
{
    [BindProperty] public bool SpfEnabled { get; set; }
    [BindProperty] public bool SpfInsertHeader { get; set; }
    [BindProperty] public Dictionary<string, string> SpfActions { get; set; } = [];
    [BindProperty] public string? SpfIgnoredPeers { get; set; }
    [BindProperty] public bool DkimEnabled { get; set; }
    [BindProperty] public bool DkimSkipBlank { get; set; }
    [BindProperty] public bool DkimInsertHeader { get; set; }
    [BindProperty] public string? DkimAction { get; set; }
    [BindProperty] public string? DkimEnforcedPeers { get; set; }
    [BindProperty] public bool DkimUseHeaderSender { get; set; }
    [BindProperty] public string? DkimIgnoredPeers { get; set; }
    [BindProperty] public bool DmarcEnabled { get; set; }
    [BindProperty] public bool DmarcSkipBlank { get; set; }
    [BindProperty] public bool DmarcArc { get; set; }
    [BindProperty] public bool DmarcInsertHeader { get; set; }
    [BindProperty] public Dictionary<string, string> DmarcActions { get; set; } = [];
    [BindProperty] public string? DmarcEnforcedPeers { get; set; }
    [BindProperty] public string? DmarcIgnoredPeers { get; set; }
    [BindProperty] public string? DmarcExceptionIps { get; set; }

    [BindProperty(Name = "keyDomain")] public string? KeyDomain { get; set; }
    [BindProperty(Name = "keySelector")] public string? KeySelector { get; set; }
    [BindProperty(Name = "keyAlgorithm")] public string? KeyAlgorithm { get; set; }
    [BindProperty(Name = "keyBits")] public int KeyBits { get; set; } = 2048;

    public IReadOnlyList<DkimKeyDto> Keys { get; private set; } = [];
    public IReadOnlyList<string> Domains { get; private set; } = [];
    public int DomainPolicies { get; private set; }
    public bool Writable => CanWrite;

    public async Task OnGetAsync() => await LoadAsync(form: true);

    public Task<IActionResult> OnPostAsync() => ChangeAsync(async () =>
    {
        var change = new AuthenticationSettingsDto(
            new SpfDto(SpfEnabled, SpfInsertHeader, SpfActions, Lines(SpfIgnoredPeers)),
            new DkimVerificationDto(DkimEnabled, DkimSkipBlank, DkimInsertHeader, DkimAction, Lines(DkimEnforcedPeers), Lines(DkimIgnoredPeers), DkimUseHeaderSender),
            new DmarcDto(DmarcEnabled, DmarcSkipBlank, DmarcArc, DmarcInsertHeader, DmarcActions, Lines(DmarcEnforcedPeers), Lines(DmarcIgnoredPeers), Lines(DmarcExceptionIps)));
        await settings.SaveAsync(change, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("settings.saved"));
        return Redirect("/settings/authentication");
    }, async () => { await LoadAsync(form: false); return Page(); });

    public Task<IActionResult> OnPostGenerateAsync() => ChangeAsync(async () =>
    {
        var key = await settings.GenerateKeyAsync(KeyDomain, KeySelector, KeyAlgorithm, KeyBits, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("settings.dkim.generated", key.Domain, key.Selector, key.RecordName));
        return Redirect("/settings/authentication#dkim-signing");
    }, async () => { await LoadAsync(form: true); return Page(); });

    public Task<IActionResult> OnPostEnableAsync() => KeyChangeAsync(() => settings.SetKeyEnabledAsync(KeyDomain ?? "", KeySelector ?? "", true, Actor, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostDisableAsync() => KeyChangeAsync(() => settings.SetKeyEnabledAsync(KeyDomain ?? "", KeySelector ?? "", false, Actor, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostRemoveKeyAsync() => KeyChangeAsync(() => settings.RemoveKeyAsync(KeyDomain ?? "", KeySelector ?? "", Actor, HttpContext.RequestAborted));

    private Task<IActionResult> KeyChangeAsync(Func<Task> change) => ChangeAsync(async () =>
    {
        await change();
        Notice(ConsoleText.T("settings.saved"));
        return Redirect("/settings/authentication#dkim-signing");
    }, async () => { await LoadAsync(form: true); return Page(); });

    /// <summary>Loads the keys and domains, and (unless the posted form is being shown again) the settings into the form.</summary>
    private async Task LoadAsync(bool form)
    {
        var a = AuthenticationSettingsDto.From(await settings.GetAsync(Actor, HttpContext.RequestAborted));
        Keys = a.SigningKeys ?? [];
        DomainPolicies = a.DomainPolicies ?? 0;
        Domains = (await domains.ListAsync(Actor, HttpContext.RequestAborted)).Select(d => d.Name).ToList();
        if (!form) return;
        SpfEnabled = a.Spf!.Enabled == true;
        SpfInsertHeader = a.Spf.InsertHeader == true;
        SpfActions = a.Spf.Actions!.ToDictionary();
        SpfIgnoredPeers = string.Join('\n', a.Spf.IgnoredPeers ?? []);
        var d = a.DkimVerification!;
        (DkimEnabled, DkimSkipBlank, DkimInsertHeader, DkimAction, DkimUseHeaderSender) = (d.Enabled == true, d.SkipBlankEnvelopeSender == true, d.InsertHeader == true, d.Action, d.UseHeaderSenderForEnforced == true);
        DkimEnforcedPeers = string.Join('\n', d.EnforcedPeers ?? []);
        DkimIgnoredPeers = string.Join('\n', d.IgnoredPeers ?? []);
        var m = a.Dmarc!;
        (DmarcEnabled, DmarcSkipBlank, DmarcArc, DmarcInsertHeader) = (m.Enabled == true, m.SkipBlankEnvelopeSender == true, m.EnableArc == true, m.InsertHeader == true);
        DmarcActions = m.Actions!.ToDictionary();
        DmarcEnforcedPeers = string.Join('\n', m.EnforcedPeers ?? []);
        DmarcIgnoredPeers = string.Join('\n', m.IgnoredPeers ?? []);
        DmarcExceptionIps = string.Join('\n', m.ExceptionIps ?? []);
    }

    private static List<string> Lines(string? text) =>
        (text ?? "").Split(['\n', ',', ' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries).ToList();
}
