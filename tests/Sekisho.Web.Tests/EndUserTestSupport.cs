using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sekisho.Model.Rules;
using Sekisho.Store;
using Sekisho.Testing;
using Sekisho.Web.EndUsers;

namespace Sekisho.Web.Tests;

/// <summary>End users, rules and quarantined mail for the end-user quarantine tests.</summary>
internal static class EndUserTestSupport
{
    public const string Password = "my own password 2026";
    public const string SpamRule = "rule-spam";
    public const string VirusRule = "rule-virus";

    /// <summary>An inbound spam rule (its quarantine is releasable by end users) and a virus rule (it is not).</summary>
    public static async Task AddRulesAsync(ConsoleHost host)
    {
        await using var s = await host.Store.BeginAsync(host.Organization, "test");
        var t = DateTimeOffset.UtcNow;
        await s.AddRuleAsync(new Rule
        {
            Id = SpamRule, Name = "迷惑メール対策", Direction = Direction.Inbound, Type = RuleType.Spam, Order = 1,
            Criteria = CriteriaSet.AnyOf(new SpamDetection(SpamLevel.ModeratelyLow)), Actions = new RuleActions(new Quarantine(), [], []), Created = t, Modified = t,
        });
        await s.AddRuleAsync(new Rule
        {
            Id = VirusRule, Name = "ウイルス対策", Direction = Direction.Inbound, Type = RuleType.Virus, Order = 1,
            Actions = new RuleActions(new Quarantine(), [], []), Created = t, Modified = t,
        });
        await s.CommitAsync();
    }

    /// <summary>Puts a real MIME message into quarantine for one recipient, held by <paramref name="ruleId"/>.</summary>
    public static Task<string> QuarantineAsync(ConsoleHost host, string sender, string recipient, string subject, string ruleId = SpamRule,
        Direction direction = Direction.Inbound)
    {
        var encoded = "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(subject)) + "?=";
        var mime = $"From: {sender}\r\nTo: {recipient}\r\nSubject: {encoded}\r\nMessage-ID: <{Guid.NewGuid():N}@partner.example>\r\nMIME-Version: 1.0\r\n" +
                   "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                   Convert.ToBase64String(Encoding.UTF8.GetBytes("格安のご案内です。 viagra viagra")) + "\r\n";
        return new QuarantineStore(host.Store, host.Organization).AddAsync(new NewQuarantinedMessage(recipient, sender, direction, subject, Encoding.ASCII.GetBytes(mime),
            ruleId, ruleId == SpamRule ? "迷惑メール対策" : "ウイルス対策", "spam score 12", null, "{\"internal\":\"trace-detail-xyz\"}", DateTimeOffset.UtcNow, "Q1"), 30);
    }

    public static Task CreateAsync(ConsoleHost host, string address, string? password = Password) =>
        host.App.Services.GetRequiredService<EndUserService>().CreateAsync(address, password, "test", default, iterations: 1000);

    /// <summary>Signs an end user in through /my/login and returns the browser client.</summary>
    public static async Task<HttpClient> SignedInAsync(ConsoleHost host, string address, string password = Password)
    {
        var client = host.Browser();
        var r = await ConsoleHost.PostFormAsync(client, "/my/login", "/my/login", new() { ["address"] = address, ["password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/my", r.Headers.Location!.OriginalString);
        return client;
    }

    public static async Task<bool> InQuarantineAsync(ConsoleHost host, string id) =>
        await new QuarantineStore(host.Store, host.Organization).FindAsync(id) is { } m && m.Id == id;
}
