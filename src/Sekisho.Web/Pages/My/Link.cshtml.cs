using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Sekisho.Model.Settings;
using Sekisho.Web.EndUsers;
using Sekisho.Web.Localization;
using Sekisho.Web.Services;

namespace Sekisho.Web.Pages.My;

/// <summary>
/// A signed link from a digest. GET only shows what the link will do (so mail scanners that fetch links change nothing);
/// the button posts the token back, and only then is it carried out. Tampered or expired links get a clear page and change nothing;
/// a release link works once.
/// </summary>
public sealed class MyLinkModel(EndUserLinks links, EndUserService endUsers, ConsoleContext console) : EndUserPage
{
    protected override bool RequiresSignIn => false;

    [BindProperty(SupportsGet = true, Name = "t")] public string? Token { get; set; }

    public EndUserLink? Link { get; private set; }
    public EndUserMessage? Message { get; private set; }
    /// <summary>Set once the action was carried out: the sentence to show.</summary>
    public string? Done { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await VerifyAsync() ? Page() : Refused();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await VerifyAsync()) return Refused();
        if (Link is not { } link) return Page();
        var actor = EndUserService.Actor(link.Recipient, viaLink: true);
        var ct = HttpContext.RequestAborted;
        return await ChangeAsync(async () =>
        {
            switch (link.Action)
            {
                case EndUserLinkAction.SignIn:
                    await endUsers.SignInByLinkAsync(link.Recipient, ct);
                    await MyLoginModel.SignInAsync(HttpContext, link.Recipient, "link");
                    return Redirect("/my");
                case EndUserLinkAction.Release:
                    if (Message is { Releasable: false }) EndUserService.RefuseRelease();
                    bool first;
                    await using (var s = await console.BeginAsync(actor, ct))
                    {
                        first = await s.UseLinkOnceAsync(link.Nonce, link.Expires, ct);
                        await s.CommitAsync(ct);
                    }
                    if (!first)
                    {
                        ViewData["Error"] = ConsoleText.T("my.link.used");
                        Response.StatusCode = StatusCodes.Status410Gone;
                        Link = null;
                        return Page();
                    }
                    var r = await endUsers.ReleaseAsync(link.Recipient, link.MessageId, actor, ct);
                    Done = r.Via is null ? ConsoleText.T("my.release-kept") : ConsoleText.T("my.released");
                    break;
                case EndUserLinkAction.Approve:
                    await endUsers.AddSenderAsync(link.Recipient, SenderListKind.Approved, link.Sender, actor, ct);
                    Done = ConsoleText.T("my.sender.approved", link.Sender);
                    break;
                default:
                    await endUsers.AddSenderAsync(link.Recipient, SenderListKind.Blocked, link.Sender, actor, ct);
                    Done = ConsoleText.T("my.sender.blocked", link.Sender);
                    break;
            }
            return Page();
        }, () => Task.FromResult<IActionResult>(Page()));
    }

    private async Task<bool> VerifyAsync()
    {
        var (link, problem) = links.Read(Token);
        if (link is null)
        {
            ViewData["Error"] = ConsoleText.T(problem == EndUserLinkProblem.Expired ? "my.link.expired" : "my.link.invalid");
            return false;
        }
        Link = link;
        if (link.Action is EndUserLinkAction.Release or EndUserLinkAction.Approve or EndUserLinkAction.Block && link.MessageId.Length > 0)
        {
            try { Message = await endUsers.GetAsync(link.Recipient, link.MessageId, HttpContext.RequestAborted); }
            catch (ConsoleProblem) when (link.Action != EndUserLinkAction.Release) { Message = null; }
            catch (ConsoleProblem)
            {
                ViewData["Error"] = ConsoleText.T("my.link.gone");
                Link = null;
                Response.StatusCode = StatusCodes.Status410Gone;
                return true;
            }
        }
        return true;
    }

    private IActionResult Refused()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        Link = null;
        return Page();
    }
}
