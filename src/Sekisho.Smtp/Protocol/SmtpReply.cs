using System.Text;

namespace Sekisho.Smtp.Protocol;

/// <summary>
/// An SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code and one or more text lines.
/// </summary>
public sealed record SmtpReply(int Code, string? Enhanced, IReadOnlyList<string> Lines)
{
    public SmtpReply(int code, string? enhanced, string text) : this(code, enhanced, [text]) { }

    /// <summary>2yz: the command succeeded.</summary>
    public bool IsPositive => Code is >= 200 and < 400;

    /// <summary>4yz: try again later.</summary>
    public bool IsTransient => Code is >= 400 and < 500;

    /// <summary>5yz: do not try again.</summary>
    public bool IsPermanent => Code >= 500;

    /// <summary>The first text line (for logs and tracking records).</summary>
    public string Text => Lines.Count == 0 ? "" : Lines[0];

    /// <summary>The reply as sent on the wire, CRLF-terminated, with continuation lines.</summary>
    public string ToWire(bool enhancedCodes = true)
    {
        var sb = new StringBuilder();
        var lines = Lines.Count == 0 ? [""] : Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            sb.Append(Code).Append(i == lines.Count - 1 ? ' ' : '-');
            if (enhancedCodes && Enhanced is not null) sb.Append(Enhanced).Append(' ');
            sb.Append(lines[i]).Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>One line for logs: <c>550 5.7.1 Relay access denied</c>.</summary>
    public override string ToString() => Enhanced is null ? $"{Code} {string.Join(" / ", Lines)}" : $"{Code} {Enhanced} {string.Join(" / ", Lines)}";

    /// <summary>Replies the server sends; their texts are the RFC's English, as SMTP requires.</summary>
    public static class Server
    {
        public static readonly SmtpReply Ok = new(250, "2.0.0", "Ok");
        public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Ok");
        public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Ok");
        public static readonly SmtpReply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");
        public static readonly SmtpReply Bye = new(221, "2.0.0", "Bye");
        public static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "Service shutting down, try again later");
        public static readonly SmtpReply CommandTimeout = new(421, "4.4.2", "Timeout exceeded, closing connection");
        public static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
        public static readonly SmtpReply TooManyConnectionsFromIp = new(421, "4.7.0", "Too many connections from your address");
        public static readonly SmtpReply TooManyConnections = new(421, "4.3.2", "Too many connections, try again later");
        public static readonly SmtpReply EarlyTalker = new(554, "5.5.0", "Protocol error: client talked before the greeting");
        public static readonly SmtpReply LineTooLong = new(500, "5.5.2", "Line too long");
        public static readonly SmtpReply Unrecognized = new(502, "5.5.2", "Command not recognized");
        public static readonly SmtpReply NotImplemented = new(502, "5.5.1", "Command not implemented");
        public static readonly SmtpReply BadSequenceHelo = new(503, "5.5.1", "Send EHLO or HELO first");
        public static readonly SmtpReply BadSequenceNestedMail = new(503, "5.5.1", "Nested MAIL command");
        public static readonly SmtpReply BadSequenceNeedMail = new(503, "5.5.1", "Need MAIL command first");
        public static readonly SmtpReply BadSequenceNeedRcpt = new(503, "5.5.1", "Need RCPT command first");
        public static readonly SmtpReply BadSequenceBdatData = new(503, "5.5.1", "DATA and BDAT cannot be mixed in one transaction");
        public static readonly SmtpReply NoValidRecipients = new(554, "5.5.1", "No valid recipients");
        public static readonly SmtpReply SyntaxError = new(501, "5.5.4", "Syntax error in parameters or arguments");
        public static readonly SmtpReply BadAddressSyntax = new(553, "5.1.3", "Bad address syntax");
        public static readonly SmtpReply SourceRouteRefused = new(553, "5.1.3", "Source routes are not accepted");
        public static readonly SmtpReply UnknownParameter = new(555, "5.5.4", "Unsupported MAIL/RCPT parameter");
        public static readonly SmtpReply NeedSmtpUtf8 = new(553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter");
        public static readonly SmtpReply MessageTooBigDeclared = new(552, "5.3.4", "Message size exceeds fixed limit");
        public static readonly SmtpReply MessageTooBig = new(552, "5.3.4", "Message size exceeds fixed limit");
        public static readonly SmtpReply TooManyRecipients = new(452, "4.5.3", "Too many recipients");
        public static readonly SmtpReply TooManyHops = new(554, "5.4.6", "Too many hops (mail loop?)");
        public static readonly SmtpReply BareLineEnding = new(550, "5.5.2", "Message contains bare CR or LF (line endings must be CRLF)");
        public static readonly SmtpReply RelayDenied = new(550, "5.7.1", "Relay access denied");
        public static readonly SmtpReply RecipientSyntaxRefused = new(550, "5.7.1", "Recipient address rejected: routing in the local part is not accepted");
        public static readonly SmtpReply PostmasterRefused = new(550, "5.1.1", "Recipient address rejected: no local mailboxes on this gateway");
        public static readonly SmtpReply SenderNotOwned = new(553, "5.7.1", "Sender address rejected: not owned by the authenticated user");
        public static readonly SmtpReply SenderNotAllowed = new(550, "5.7.1", "Sender address rejected: not allowed from this client");
        public static readonly SmtpReply MustStartTls = new(530, "5.7.0", "Must issue a STARTTLS command first");
        public static readonly SmtpReply AuthRequired = new(530, "5.7.0", "Authentication required");
        public static readonly SmtpReply AuthNotEnabled = new(503, "5.5.1", "Authentication not enabled");
        public static readonly SmtpReply AlreadyAuthenticated = new(503, "5.5.1", "Already authenticated");
        public static readonly SmtpReply AuthMechanismUnsupported = new(504, "5.5.4", "Unrecognized authentication mechanism");
        public static readonly SmtpReply AuthCancelled = new(501, "5.0.0", "Authentication cancelled");
        public static readonly SmtpReply AuthBadEncoding = new(501, "5.5.2", "Cannot decode the response");
        public static readonly SmtpReply AuthFailed = new(535, "5.7.8", "Authentication credentials invalid");
        public static readonly SmtpReply AuthSucceeded = new(235, "2.7.0", "Authentication successful");
        public static readonly SmtpReply AuthTemporaryFailure = new(454, "4.7.0", "Temporary authentication failure");
        public static readonly SmtpReply TlsNotAvailable = new(454, "4.7.0", "TLS not available");
        public static readonly SmtpReply TlsAlreadyActive = new(503, "5.5.1", "TLS already active");
        public static readonly SmtpReply ReadyToStartTls = new(220, "2.0.0", "Ready to start TLS");
        public static readonly SmtpReply RateLimited = new(450, "4.7.0", "Message rate limit exceeded for your address, try again later");
        public static readonly SmtpReply LocalError = new(451, "4.3.0", "Local error in processing, try again later");
        public static readonly SmtpReply PolicyUnavailable = new(451, "4.7.1", "Content policy temporarily unavailable, try again later");
        public static readonly SmtpReply VrfyCannot = new(252, "2.0.0", "Cannot VRFY user, but will accept the message");
        public static readonly SmtpReply ForbiddenCommand = new(221, "2.7.0", "Error: I can break rules, too. Goodbye.");
    }
}
