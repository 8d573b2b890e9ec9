using System.CommandLine;
using Sekisho.Cli.Localization;
using Sekisho.Model.Addresses;
using Sekisho.Model.Settings;
using Sekisho.Scanning.Dkim;

namespace Sekisho.Cli.Commands;

/// <summary><c>sekisho dkim keygen DOMAIN --selector S [--algorithm rsa|ed25519] [--bits N]</c>.</summary>
internal static class DkimCommands
{
    public static Command Create(CliApp app)
    {
        var dkim = new Command("dkim", CliText.T("dkim.description"));
        var domain = new Argument<string>("domain");
        var selector = new Option<string>("--selector") { Description = CliText.T("dkim.keygen.selector"), Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = CliText.T("dkim.keygen.algorithm"), DefaultValueFactory = _ => "rsa" };
        var bits = new Option<int>("--bits") { Description = CliText.T("dkim.keygen.bits"), DefaultValueFactory = _ => 2048 };
        var keygen = new Command("keygen", CliText.T("dkim.keygen.description")) { domain, selector, algorithm, bits };
        keygen.SetAction(app.Run(async (ctx, ct) =>
        {
            if (!DomainNames.TryNormalize(ctx.Parse.GetValue(domain), out var name))
                throw new CliUserException(CliText.T("dkim.keygen.domain-invalid", ctx.Parse.GetValue(domain)));
            var sel = ctx.Parse.GetValue(selector)!.Trim();
            if (sel.Length is 0 or > 63 || !sel.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new CliUserException(CliText.T("dkim.keygen.selector-invalid", sel));
            var alg = ctx.Parse.GetValue(algorithm)!.ToLowerInvariant() switch
            {
                "rsa" or "rsa-sha256" => DkimAlgorithm.RsaSha256,
                "ed25519" or "ed25519-sha256" => DkimAlgorithm.Ed25519Sha256,
                var other => throw new CliUserException(CliText.T("error.enum", other, "--algorithm", "rsa, ed25519")),
            };
            int n = ctx.Parse.GetValue(bits);
            if (alg == DkimAlgorithm.RsaSha256 && n is not (1024 or 2048 or 3072 or 4096))
                throw new CliUserException(CliText.T("dkim.keygen.bits-invalid", n));

            var pair = DkimKeyGenerator.Generate(name, sel, alg, n);
            await using var s = await ctx.BeginAsync(ct);
            var settings = await s.GetSettingsAsync(ct);
            var key = new DkimSigningKey
            {
                Domain = name, Selector = sel, Algorithm = alg, KeyBits = alg == DkimAlgorithm.RsaSha256 ? n : 256, PrivateKeyPem = pair.PrivateKeyPem,
            };
            var keys = settings.Authentication.DkimSigning
                .Where(k => !(k.Domain.Equals(name, StringComparison.OrdinalIgnoreCase) && k.Selector.Equals(sel, StringComparison.OrdinalIgnoreCase)))
                .Append(key).ToList();
            await s.SaveSettingsAsync(settings with { Authentication = settings.Authentication with { DkimSigning = keys } }, ct);
            await s.CommitAsync(ct);
            if (ctx.Json)
            {
                ctx.WriteJson(new { domain = name, selector = sel, algorithm = alg == DkimAlgorithm.RsaSha256 ? "rsa-sha256" : "ed25519-sha256", recordName = pair.RecordName, recordValue = pair.RecordValue });
                return 0;
            }
            ctx.Out.WriteLine(CliText.T("dkim.keygen.done", name, sel));
            ctx.Out.WriteLine($"  {pair.RecordName}. IN TXT ( {pair.QuotedRecordValue} )");
            return 0;
        }));
        dkim.Subcommands.Add(keygen);
        return dkim;
    }
}
