using Sekisho.Model.Rules;

namespace Sekisho.Model.Settings;

/// <summary>Domain-based authentication (ドメインベースの認証): sender IP match, SPF, DKIM, DMARC, and DKIM signing.</summary>
public sealed record AuthenticationSettings
{
    public SpfSettings Spf { get; init; } = new();
    public IReadOnlyList<DkimVerificationPolicy> DkimVerification { get; init; } = [DkimVerificationPolicy.DefaultPolicy];
    public IReadOnlyList<DmarcPolicySettings> Dmarc { get; init; } = [DmarcPolicySettings.DefaultPolicy];
    public IReadOnlyList<DkimSigningKey> DkimSigning { get; init; } = [];
    public IReadOnlyList<SenderIpMatch> SenderIpMatch { get; init; } = [];
}

/// <summary>What an authentication check does with a message.</summary>
public enum AuthIntercept
{
    Accept,
    Delete,
    Quarantine,
    /// <summary>Reject in the SMTP dialogue (550) when the verdict is known before the final reply.</summary>
    Reject,
}

/// <summary>An authentication action: intercept plus optional subject tag and notifications.</summary>
public sealed record AuthAction(AuthIntercept Intercept, string? TagSubject = null, IReadOnlyList<string>? NotificationIds = null)
{
    public static readonly AuthAction Accept = new(AuthIntercept.Accept);
}

/// <summary>SPF results of RFC 7208.</summary>
public enum SpfResult
{
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

/// <summary>SPF settings with an action per result (pass always accepts).</summary>
public sealed record SpfSettings
{
    public bool Enabled { get; init; } = true;
    /// <summary>Insert <c>X-Sekisho-Received-SPF</c>.</summary>
    public bool InsertHeader { get; init; }
    public IReadOnlyDictionary<SpfResult, AuthAction> Actions { get; init; } = new Dictionary<SpfResult, AuthAction>
    {
        [SpfResult.Fail] = new(AuthIntercept.Delete),
    };
    /// <summary>Domains, IPs or CIDRs not checked.</summary>
    public IReadOnlyList<string> IgnoredPeers { get; init; } = [];
}

/// <summary>DKIM verification for a sender domain, or the default policy when <see cref="Domain"/> is null.</summary>
public sealed record DkimVerificationPolicy
{
    public string? Domain { get; init; }
    public bool Enabled { get; init; } = true;
    public bool SkipBlankEnvelopeSender { get; init; } = true;
    public bool InsertHeader { get; init; }
    /// <summary>Action for an enforced peer without a valid signature.</summary>
    public AuthAction Action { get; init; } = new(AuthIntercept.Quarantine);
    /// <summary>Sender domains that must carry a valid DKIM signature.</summary>
    public IReadOnlyList<string> EnforcedPeers { get; init; } = [];
    /// <summary>Domains, IPs or CIDRs exempt (matched on the envelope sender); ignored beats enforced.</summary>
    public IReadOnlyList<string> IgnoredPeers { get; init; } = [];
    /// <summary>Also match enforced peers on the header sender (the envelope sender always matches).</summary>
    public bool UseHeaderSenderForEnforced { get; init; } = true;
    public Provenance? Provenance { get; init; }

    public static readonly DkimVerificationPolicy DefaultPolicy = new();
}

/// <summary>A DMARC policy value as published (<c>p=</c>), or no record at all.</summary>
public enum DmarcDisposition
{
    None,
    Quarantine,
    Reject,
    NoRecord,
}

/// <summary>DMARC settings for a sender domain, or the default policy when <see cref="Domain"/> is null.</summary>
public sealed record DmarcPolicySettings
{
    public string? Domain { get; init; }
    public bool Enabled { get; init; } = true;
    public bool SkipBlankEnvelopeSender { get; init; } = true;
    /// <summary>Accept DMARC-failing mail that passes ARC validation (forwarders, lists).</summary>
    public bool EnableArc { get; init; } = true;
    public bool InsertHeader { get; init; }
    public IReadOnlyDictionary<DmarcDisposition, AuthAction> Actions { get; init; } = new Dictionary<DmarcDisposition, AuthAction>
    {
        [DmarcDisposition.None] = AuthAction.Accept,
        [DmarcDisposition.Quarantine] = new(AuthIntercept.Quarantine),
        [DmarcDisposition.Reject] = new(AuthIntercept.Delete),
        [DmarcDisposition.NoRecord] = AuthAction.Accept,
    };
    public IReadOnlyList<string> EnforcedPeers { get; init; } = [];
    public IReadOnlyList<string> IgnoredPeers { get; init; } = [];
    /// <summary>Client IPs whose mail is not checked.</summary>
    public IReadOnlyList<string> ExceptionIps { get; init; } = [];
    public Provenance? Provenance { get; init; }

    public static readonly DmarcPolicySettings DefaultPolicy = new();
}

/// <summary>Sender IP match: mail whose header From domain matches must come from the listed IPs.</summary>
public sealed record SenderIpMatch(string Domain, IReadOnlyList<string> Ips, AuthAction Action);

public enum DkimCanonicalization
{
    Simple,
    Relaxed,
}

public enum DkimAlgorithm
{
    RsaSha256,
    Ed25519Sha256,
}

/// <summary>A DKIM signing key of a managed domain (DKIM署名). The private key is PKCS#8 PEM.</summary>
public sealed record DkimSigningKey
{
    public required string Domain { get; init; }
    public required string Selector { get; init; }
    public DkimAlgorithm Algorithm { get; init; } = DkimAlgorithm.RsaSha256;
    public int KeyBits { get; init; } = 2048;
    public required string PrivateKeyPem { get; init; }
    public DkimCanonicalization HeaderCanonicalization { get; init; } = DkimCanonicalization.Relaxed;
    public DkimCanonicalization BodyCanonicalization { get; init; } = DkimCanonicalization.Relaxed;
    public IReadOnlyList<string> SignedHeaders { get; init; } = ["From", "To", "Subject", "Date", "Message-ID"];
    /// <summary>Signature lifetime in days (x=); 0 = none.</summary>
    public int ExpireDays { get; init; }
    /// <summary>Body length to sign (l=); 0 = whole body.</summary>
    public long BodyLength { get; init; }
    /// <summary>Agent or user identifier (i=); empty = none.</summary>
    public string Auid { get; init; } = "";
    public bool Enabled { get; init; } = true;
    public bool SignBlankEnvelopeSender { get; init; } = true;
    public Provenance? Provenance { get; init; }
}
