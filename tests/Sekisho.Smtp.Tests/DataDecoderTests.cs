using System.Text;
using Sekisho.Smtp.Server;

namespace Sekisho.Smtp.Tests;

/// <summary>
/// The DATA and BDAT decoders must give the same answer however TCP splits the bytes: every test decodes the
/// input whole and split at every position (and byte by byte) and compares.
/// </summary>
public sealed class DataDecoderTests
{
    private sealed class Sink : IContentSink
    {
        public MemoryStream Bytes { get; } = new();
        public void Write(ReadOnlySpan<byte> bytes) => Bytes.Write(bytes);
        public string Text => Encoding.UTF8.GetString(Bytes.ToArray());
    }

    private static (string Content, int Consumed, bool Bare, bool TooBig) Dot(byte[] input, int[] cuts, BareLineEndingHandling mode = BareLineEndingHandling.Reject, long max = 1 << 20)
    {
        var sink = new Sink();
        var d = new DotDataDecoder(sink, max, mode);
        var consumed = 0;
        var start = 0;
        foreach (var cut in cuts.Append(input.Length))
        {
            var (n, ended) = d.Decode(input.AsSpan(start, cut - start));
            consumed += n;
            if (ended) return (sink.Text, consumed, d.BareLineEnding, d.TooBig);
            Assert.Equal(cut - start, n);
            start = cut;
        }
        throw new Xunit.Sdk.XunitException("end of data not found");
    }

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "Subject: a\r\n\r\nbody\r\n.\r\n", "Subject: a\r\n\r\nbody\r\n", false },
        { "..leading\r\n...two\r\n.\r\n", ".leading\r\n..two\r\n", false },
        { ".\r\n", "", false },
        { "x\r\n.y\r\n.\r\nAFTER", "x\r\ny\r\n", false },
        { "a\nb\r\n.\r\n", "a\nb\r\n", true },
        { "a\rb\r\n.\r\n", "a\rb\r\n", true },
        { "a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", true },
        { "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", true },
        { "a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dot_decoding_is_independent_of_how_the_input_is_split(string wire, string expected, bool bare)
    {
        var input = Encoding.UTF8.GetBytes(wire);
        var whole = Dot(input, []);
        Assert.Equal(expected, whole.Content);
        Assert.Equal(bare, whole.Bare);
        var end = wire.IndexOf("\r\n.\r\n", StringComparison.Ordinal) is var i && i >= 0 ? i + 5 : 3;
        Assert.Equal(wire.StartsWith(".\r\n", StringComparison.Ordinal) ? 3 : end, whole.Consumed);
        for (var cut = 1; cut < input.Length; cut++)
            Assert.Equal(whole, Dot(input, [cut]));
        Assert.Equal(whole, Dot(input, Enumerable.Range(1, input.Length - 1).ToArray()));
    }

    [Fact]
    public void Normalize_turns_bare_line_endings_into_crlf_and_never_ends_on_them()
    {
        var input = Encoding.ASCII.GetBytes("a\nb\r.\n..x\r\n.\r\n");
        var r = Dot(input, [], BareLineEndingHandling.Normalize);
        Assert.Equal("a\r\nb\r\n.\r\n..x\r\n", r.Content);
        Assert.True(r.Bare);
        for (var cut = 1; cut < input.Length; cut++) Assert.Equal(r, Dot(input, [cut], BareLineEndingHandling.Normalize));
    }

    [Fact]
    public void Oversized_data_is_read_to_its_end_but_not_stored()
    {
        var input = Encoding.ASCII.GetBytes(new string('x', 100) + "\r\n" + new string('y', 100) + "\r\n.\r\nNEXT");
        var r = Dot(input, [50, 150], max: 120);
        Assert.True(r.TooBig);
        Assert.Equal(input.Length - 4, r.Consumed);
    }

    [Fact]
    public void Bdat_chunks_catch_a_bare_cr_split_across_chunks_and_end_with_crlf()
    {
        var sink = new Sink();
        var d = new ChunkDecoder(sink, 1 << 20, BareLineEndingHandling.Reject);
        d.Decode("line one\r"u8);
        d.Decode("\nline two\r"u8);
        d.Decode("x"u8);
        d.Finish();
        Assert.True(d.BareLineEnding);

        sink = new Sink();
        d = new ChunkDecoder(sink, 1 << 20, BareLineEndingHandling.Reject);
        d.Decode("Subject: s\r"u8);
        d.Decode("\n\r\nno final line ending"u8);
        d.Finish();
        Assert.False(d.BareLineEnding);
        Assert.Equal("Subject: s\r\n\r\nno final line ending\r\n", sink.Text);

        sink = new Sink();
        d = new ChunkDecoder(sink, 1 << 20, BareLineEndingHandling.Normalize);
        d.Decode("a\nb\r"u8);
        d.Finish();
        Assert.Equal("a\r\nb\r\n", sink.Text);
    }
}
