namespace Sekisho.Scanning.Reputation;

/// <summary>Valid recipients of the managed domains (Directory Management): an imported list or a directory.</summary>
public interface IRecipientDirectory
{
    /// <summary>True when the address is a known recipient.</summary>
    ValueTask<bool> ExistsAsync(string address, CancellationToken ct);
}

/// <summary>
/// Recipients imported from a file: one address per line, CSV (the first field holding an address), or LDIF
/// (<c>mail:</c> and <c>proxyAddresses: smtp:</c> lines). Lines without an address are ignored.
/// </summary>
public sealed class ImportedRecipientList : IRecipientDirectory
{
    private readonly HashSet<string> _addresses;

    public ImportedRecipientList(IEnumerable<string> addresses) =>
        _addresses = new HashSet<string>(addresses.Select(a => a.Trim()).Where(a => a.Contains('@')), StringComparer.OrdinalIgnoreCase);

    public int Count => _addresses.Count;

    public static ImportedRecipientList Load(string path, int maxLines = 1_000_000)
    {
        var found = new List<string>();
        int n = 0;
        foreach (var raw in File.ReadLines(path))
        {
            if (++n > maxLines) throw new InvalidDataException($"{path}: more than {maxLines} lines");
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string? candidate = null;
            if (line.StartsWith("mail:", StringComparison.OrdinalIgnoreCase)) candidate = line[5..];
            else if (line.StartsWith("proxyAddresses:", StringComparison.OrdinalIgnoreCase))
            {
                var v = line[15..].Trim();
                if (v.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase)) candidate = v[5..];
            }
            else if (!line.Contains(':')) candidate = line.Split([',', ';', '\t'])[0].Trim('"', ' ');
            if (candidate is not null && candidate.Trim().Contains('@')) found.Add(candidate.Trim());
        }
        return new ImportedRecipientList(found);
    }

    public ValueTask<bool> ExistsAsync(string address, CancellationToken ct) => ValueTask.FromResult(_addresses.Contains(address));
}
