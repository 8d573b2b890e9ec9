using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Sekisho.Smtp.Tests;

/// <summary>An authoritative DNS server on loopback speaking the real protocol (ARSoft.Tools.Net), with MX and A records set by the test.</summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly DnsServer _server;
    private int _queries;

    private FakeDnsServer(int port)
    {
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
        _server = new DnsServer(new UdpServerTransport(Endpoint, 5000));
        _server.QueryReceived += OnQueryAsync;
    }

    public IPEndPoint Endpoint { get; }
    public ConcurrentDictionary<string, List<(int Preference, string Host)>> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ConcurrentDictionary<string, IPAddress> A { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int Queries => Volatile.Read(ref _queries);

    public static FakeDnsServer Start()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))) port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        var s = new FakeDnsServer(port);
        s._server.Start();
        return s;
    }

    private Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        Interlocked.Increment(ref _queries);
        if (e.Query is not DnsMessage query || query.Questions.Count != 1) return Task.CompletedTask;
        var response = query.CreateResponseInstance();
        var q = query.Questions[0];
        var name = q.Name.ToString().TrimEnd('.');
        var known = Mx.ContainsKey(name) || A.ContainsKey(name);
        if (!known)
        {
            response.ReturnCode = ReturnCode.NxDomain;
        }
        else
        {
            response.ReturnCode = ReturnCode.NoError;
            if (q.RecordType == RecordType.Mx && Mx.TryGetValue(name, out var mx))
                foreach (var (pref, host) in mx) response.AnswerRecords.Add(new MxRecord(q.Name, 300, (ushort)pref, DomainName.Parse(host)));
            if (q.RecordType == RecordType.A && A.TryGetValue(name, out var ip))
                response.AnswerRecords.Add(new ARecord(q.Name, 300, ip));
        }
        e.Response = response;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _server.Stop();
        return ValueTask.CompletedTask;
    }
}
