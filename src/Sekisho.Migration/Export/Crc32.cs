namespace Sekisho.Migration.Export;

/// <summary>
/// CRC-32 (IEEE 802.3, as in the gzip trailer). .NET's GZipStream accepts a truncated stream without an
/// error, so the reader checks the trailer itself.
/// </summary>
internal sealed class Crc32
{
    private static readonly uint[] Table = BuildTable();
    private uint crc = 0xFFFFFFFFu;

    public uint Value => ~crc;

    public void Append(ReadOnlySpan<byte> data)
    {
        var c = crc;
        foreach (var b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        crc = c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
