using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Store;
using Sekisho.Web.Access;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.Users;

/// <summary>
/// ユーザ / Users (administrators only): console users with role, TOTP, last sign-in and lock-out; add, unlock and
/// remove users; create and revoke their REST API tokens. New secrets (a token, a TOTP URI) are shown once.
/// </summary>
[Authorize(Policy = ConsoleRoles.ConsoleWrite)]
public sealed class UsersModel(ConsoleAccess access, ConsoleContext console) : ConsolePage
{
    public IReadOnlyList<ConsoleUser> Users { get; private set; } = [];
    public ILookup<string, ApiToken> Tokens { get; private set; } = Enumerable.Empty<ApiToken>().ToLookup(t => t.UserId);
    /// <summary>A secret to show once after it was created: an API token or an otpauth URI.</summary>
    public string? Secret { get; private set; }
    public string? SecretLabel { get; private set; }
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync()
    {
        var (users, tokens) = await access.ListAsync(Actor, HttpContext.RequestAborted);
        Users = users;
        Tokens = tokens.ToLookup(t => t.UserId);
        Now = console.Time.GetUtcNow();
    }

    public Task<IActionResult> OnPostCreateAsync(string? name, string? password, string? role, bool totp) => ChangeAsync(async () =>
    {
        var created = await access.CreateUserAsync(name?.Trim() ?? "", password ?? "", role == ConsoleRoles.ReadOnly ? ConsoleRole.ReadOnly : ConsoleRole.Administrator,
            totp, Actor, HttpContext.RequestAborted);
        if (created.TotpSecret is not null) (Secret, SecretLabel) = (ConsoleAccess.TotpUri(created), ConsoleText.T("users.totp-once", created.Name));
        else Notice(ConsoleText.T("users.created", created.Name));
        return await ShowAsync(created.TotpSecret is not null);
    }, ReloadAsync);

    public Task<IActionResult> OnPostUnlockAsync(string name) => ChangeAsync(async () =>
    {
        await access.UnlockAsync(name, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("users.unlocked", name));
        return RedirectToPage();
    }, ReloadAsync);

    public Task<IActionResult> OnPostRemoveAsync(string name) => ChangeAsync(async () =>
    {
        await access.RemoveAsync(name, User.Identity?.Name ?? "", Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("users.removed", name));
        return RedirectToPage();
    }, ReloadAsync);

    public Task<IActionResult> OnPostTokenAsync(string name, string? tokenName) => ChangeAsync(async () =>
    {
        var label = string.IsNullOrWhiteSpace(tokenName) ? "api" : tokenName.Trim();
        if (label.Length > 64 || !ConsoleAccess.UserName.IsMatch(label))
            throw new ConsoleProblem("token.name.invalid", new Model.LocalizedText(
                "トークン名には英数字と . _ @ - を 64 文字以内で使ってください。", "A token name uses letters, digits and . _ @ - (at most 64)."));
        Secret = await access.CreateTokenAsync(name, label, Actor, HttpContext.RequestAborted);
        SecretLabel = ConsoleText.T("users.token-once", name, label);
        return await ShowAsync(true);
    }, ReloadAsync);

    public Task<IActionResult> OnPostRevokeAsync(string name, string tokenName) => ChangeAsync(async () =>
    {
        await access.RevokeTokenAsync(name, tokenName, Actor, HttpContext.RequestAborted);
        Notice(ConsoleText.T("users.revoked", name, tokenName));
        return RedirectToPage();
    }, ReloadAsync);

    /// <summary>A new secret is shown on this response only (never stored, so no redirect that would lose it).</summary>
    private async Task<IActionResult> ShowAsync(bool secret)
    {
        if (!secret) return RedirectToPage();
        await OnGetAsync();
        return Page();
    }

    private async Task<IActionResult> ReloadAsync()
    {
        await OnGetAsync();
        return Page();
    }
}
