using System.Net.Http.Headers;
using System.Text.Json;
using Sekisho.Policy.Ports;

namespace Sekisho.Scanning.Antispam;

/// <summary>
/// The rspamd client: <c>POST /checkv2</c> with the raw message and the envelope in headers (IP, Helo, From, Rcpt,
/// Queue-Id, User); the score and action are reported as they are (the policy maps score to levels) and the
/// symbols become findings and classification flags through <see cref="RspamdSymbolMap"/>.
/// </summary>
public sealed class RspamdScanner(RspamdOptions options, HttpMessageHandler? handler = null) : ISpamScanner, IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: handler is null)
    {
        Timeout = options.Timeout,
    };

    /// <summary>Largest reply read (rspamd replies are a few kilobytes).</summary>
    private const int MaxReplyBytes = 4 * 1024 * 1024;

    public async ValueTask<SpamVerdict> CheckAsync(Stream message, MessageEnvelope envelope, CancellationToken ct)
    {
        ArraySegment<byte> body;
        if (message is MemoryStream ms && ms.TryGetBuffer(out var buffer))
            body = buffer[(int)ms.Position..];
        else
        {
            var copy = new MemoryStream();
            await message.CopyToAsync(copy, ct).ConfigureAwait(false);
            body = new ArraySegment<byte>(copy.GetBuffer(), 0, (int)copy.Length);
        }
        var errors = new List<string>();
        foreach (var endpoint in options.Endpoints)
        {
            try
            {
                using var request = BuildRequest(endpoint, body, envelope);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    return new SpamVerdict(ScanStatus.Failed, 0, []) { Error = $"rspamd {endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}" };
                await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                using var limited = new MemoryStream();
                await CopyLimitedAsync(stream, limited, ct).ConfigureAwait(false);
                return Interpret(new ReadOnlyMemory<byte>(limited.GetBuffer(), 0, (int)limited.Length), options.Symbols);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                errors.Add($"{endpoint}: {e.Message}");
            }
            catch (JsonException e)
            {
                return new SpamVerdict(ScanStatus.Failed, 0, []) { Error = $"rspamd {endpoint} sent an unreadable reply: {e.Message}" };
            }
        }
        return SpamVerdict.Unavailable("rspamd unreachable (" + string.Join("; ", errors) + ")") with { FailOpen = options.FailOpen };
    }

    private HttpRequestMessage BuildRequest(Uri endpoint, ArraySegment<byte> body, MessageEnvelope envelope)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "checkv2")) { Content = new ByteArrayContent(body.Array!, body.Offset, body.Count) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) request.Headers.TryAddWithoutValidation(name, Sanitize(value));
        }
        Add("IP", envelope.ClientIp.ToString());
        Add("Helo", envelope.HeloName);
        Add("From", envelope.Sender.Length == 0 ? "<>" : envelope.Sender);
        foreach (var rcpt in envelope.Recipients) Add("Rcpt", rcpt);
        Add("Queue-Id", envelope.QueueId);
        Add("User", envelope.AuthenticatedUser);
        Add("MTA-Name", options.MtaName);
        return request;
    }

    private static string Sanitize(string value) => new(value.Where(c => c >= 0x20 && c != 0x7f).ToArray());

    private static async Task CopyLimitedAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (to.Length + n > MaxReplyBytes) throw new JsonException($"reply larger than {MaxReplyBytes} bytes");
            to.Write(buffer, 0, n);
        }
    }

    /// <summary>Turns a <c>/checkv2</c> JSON reply into a verdict.</summary>
    public static SpamVerdict Interpret(ReadOnlyMemory<byte> json, RspamdSymbolMap map)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        var root = doc.RootElement;
        double score = root.TryGetProperty("score", out var s) && s.TryGetDouble(out var sv) ? sv : 0;
        string? action = root.TryGetProperty("action", out var a) ? a.GetString() : null;
        var findings = new List<EngineFinding>();
        var listed = new List<string>();
        if (root.TryGetProperty("symbols", out var symbols) && symbols.ValueKind == JsonValueKind.Object)
        {
            foreach (var symbol in symbols.EnumerateObject())
            {
                var name = symbol.Value.TryGetProperty("name", out var n) ? n.GetString() ?? symbol.Name : symbol.Name;
                double? weight = symbol.Value.TryGetProperty("score", out var w) && w.TryGetDouble(out var wv) ? wv : null;
                var opts = symbol.Value.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Array
                    ? o.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0).ToList() : [];
                findings.Add(new("rspamd", name, weight, opts.Count > 0 ? string.Join(", ", opts) : null));
                if (RspamdSymbolMap.Matches(map.ListedUrls, name)) listed.AddRange(opts);
            }
        }
        bool Has(IEnumerable<string> patterns) => findings.Any(f => RspamdSymbolMap.Matches(patterns, f.Name));
        return new SpamVerdict(ScanStatus.Completed, score, findings)
        {
            EngineAction = action,
            Phishing = Has(map.Phishing),
            SocialEngineering = Has(map.SocialEngineering),
            Bec = map.Bec.Where(kv => Has(kv.Value)).Select(kv => kv.Key).ToList(),
            Graymail = map.Graymail.Where(kv => Has(kv.Value)).Select(kv => kv.Key).ToList(),
            ListedUrls = listed.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
        };
    }

    public void Dispose() => _http.Dispose();
}
