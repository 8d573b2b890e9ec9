using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Sekisho.Scanning.Dns;

namespace Sekisho.Scanning.Dkim;

/// <summary>A DKIM key could not be fetched: <see cref="Temporary"/> for DNS trouble (temperror), else permerror.</summary>
public sealed class DkimKeyException(string message, bool temporary) : Exception(message)
{
    public bool Temporary { get; } = temporary;
}

/// <summary>MimeKit's key locator over our resolver: <c>selector._domainkey.domain</c> TXT (RFC 6376 §3.6.2).</summary>
public sealed class DnsDkimKeyLocator(IDnsLookup dns) : DkimPublicKeyLocatorBase
{
    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var name = $"{selector}._domainkey.{domain}";
        var answer = await dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        if (answer.Status == DnsStatus.Error) throw new DkimKeyException($"DNS error looking up {name}: {answer.Error}", true);
        var records = answer.Records.Where(r => !string.IsNullOrWhiteSpace(r)).ToList();
        if (records.Count == 0) throw new DkimKeyException($"no DKIM key at {name}", false);
        try
        {
            return GetPublicKey(records[0]);
        }
        catch (Exception e) when (e is FormatException or ParseException or ArgumentException or NotSupportedException or InvalidCastException)
        {
            throw new DkimKeyException($"unusable DKIM key at {name}: {e.Message}", false);
        }
    }
}
