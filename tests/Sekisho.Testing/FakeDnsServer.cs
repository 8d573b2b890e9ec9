using System.Collections.Concurrent;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Sekisho.Testing;

/// <summary>
/// An authoritative DNS server on loopback (UDP and TCP, a free port) answering from records the test loads:
/// the "network outside" for SPF, DKIM, DMARC, MX, DNSBL and domain verification tests. Names without records
/// get NXDOMAIN; names with records of other types get an empty NOERROR answer.
/// </summary>
public sealed class FakeDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly ConcurrentDictionary<string, List<DnsRecordBase>> _records = new(StringComparer.OrdinalIgnoreCase);

    public FakeDnsServer()
    {
        Port = ExternalProcess.FreePort();
        var endpoint = new IPEndPoint(IPAddress.Loopback, Port);
        _server = new DnsServer(new UdpServerTransport(endpoint, 1000), new TcpServerTransport(endpoint, 1000, 5000));
        _server.QueryReceived += OnQuery;
        _server.Start();
    }

    public int Port { get; }

    /// <summary>"127.0.0.1:port", as given to <c>--resolver</c>.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Number of queries answered so far.</summary>
    public int QueryCount => _queries;
    private int _queries;

    public FakeDnsServer Add(DnsRecordBase record)
    {
        _records.AddOrUpdate(Key(record.Name), _ => [record], (_, list) => { lock (list) list.Add(record); return list; });
        return this;
    }

    /// <summary>
    /// A TXT record, encoded as UTF-8 on the wire (so tests can publish non-ASCII text); strings longer than 255
    /// bytes are split into 255-byte pieces, as publishers must.
    /// </summary>
    public FakeDnsServer Txt(string name, params string[] strings)
    {
        var rdata = new List<byte>();
        foreach (var s in strings)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(s);
            int offset = 0;
            do
            {
                int n = Math.Min(255, bytes.Length - offset);
                rdata.Add((byte)n);
                rdata.AddRange(bytes.AsSpan(offset, n).ToArray());
                offset += n;
            } while (offset < bytes.Length);
        }
        return Add(new UnknownRecord(DomainName.Parse(name), RecordType.Txt, RecordClass.INet, 300, rdata.ToArray()));
    }

    /// <summary>An alias: queries of other types for <paramref name="name"/> answer the CNAME and the target's records.</summary>
    public FakeDnsServer Cname(string name, string target) => Add(new CNameRecord(DomainName.Parse(name), 300, DomainName.Parse(target)));

    /// <summary>
    /// Makes queries for <paramref name="name"/> answer SERVFAIL (a broken or unreachable authority) unless records of
    /// the asked type were loaded, as pyspf's test driver treats its TIMEOUT entries.
    /// </summary>
    public FakeDnsServer ServerFailure(string name)
    {
        _failing[Key(DomainName.Parse(name))] = true;
        return this;
    }

    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.OrdinalIgnoreCase);

    public FakeDnsServer A(string name, string ip) => Add(new ARecord(DomainName.Parse(name), 300, IPAddress.Parse(ip)));

    public FakeDnsServer Aaaa(string name, string ip) => Add(new AaaaRecord(DomainName.Parse(name), 300, IPAddress.Parse(ip)));

    public FakeDnsServer Mx(string name, int preference, string exchange) => Add(new MxRecord(DomainName.Parse(name), 300, (ushort)preference, DomainName.Parse(exchange)));

    public FakeDnsServer Ptr(string ip, string name) =>
        Add(new PtrRecord(IPAddress.Parse(ip).GetReverseLookupDomain(), 300, DomainName.Parse(name)));

    /// <summary>Removes every record of a name.</summary>
    public void Remove(string name) => _records.TryRemove(Key(DomainName.Parse(name)), out _);

    private static string Key(DomainName name) => name.ToString().TrimEnd('.').ToLowerInvariant();

    private Task OnQuery(object sender, QueryReceivedEventArgs e)
    {
        Interlocked.Increment(ref _queries);
        if (e.Query is not DnsMessage query) return Task.CompletedTask;
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        foreach (var q in query.Questions)
        {
            var name = q.Name;
            for (int hops = 0; hops < 8; hops++)
            {
                _records.TryGetValue(Key(name), out var list);
                if (_failing.ContainsKey(Key(name)))
                {
                    bool hasType;
                    lock (list ?? []) hasType = list?.Any(r => r.RecordType == q.RecordType) == true;
                    if (!hasType)
                    {
                        response.ReturnCode = ReturnCode.ServerFailure;
                        break;
                    }
                }
                if (list is null)
                {
                    if (hops == 0) response.ReturnCode = ReturnCode.NxDomain;
                    break;
                }
                DnsRecordBase? alias;
                lock (list)
                {
                    response.AnswerRecords.AddRange(list.Where(r => q.RecordType == RecordType.Any || r.RecordType == q.RecordType));
                    alias = q.RecordType == RecordType.CName ? null : list.FirstOrDefault(r => r is CNameRecord);
                }
                if (alias is not CNameRecord cname) break;
                response.AnswerRecords.Add(cname);
                name = cname.CanonicalName;
            }
        }
        e.Response = response;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        try
        {
            _server.Stop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // ARSoft cancels its listener tasks on Stop and sometimes reports that cancellation; the sockets are closed.
        }
    }
}
