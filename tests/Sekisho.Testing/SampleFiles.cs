namespace Sekisho.Testing;

/// <summary>Small files with real magic numbers for attachment tests.</summary>
public static class SampleFiles
{
    /// <summary>A minimal Windows executable header (MZ, e_lfanew → PE signature): detected as true type <c>exe</c>.</summary>
    public static byte[] Exe()
    {
        var b = new byte[512];
        b[0] = (byte)'M'; b[1] = (byte)'Z';
        BitConverter.GetBytes(0x80).CopyTo(b, 0x3c);
        b[0x80] = (byte)'P'; b[0x81] = (byte)'E';
        return b;
    }
}
