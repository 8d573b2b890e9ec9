using System.Diagnostics.CodeAnalysis;
using Sekisho.Migration.Source;

namespace Sekisho.Migration.Export;

/// <summary>The outcome of loading an export: the source model, or the fatal error that makes the file unusable.</summary>
public sealed record ImsvaLoadResult
{
    private ImsvaLoadResult(ImsvaExport? export, ExportFatalError? fatal)
    {
        Export = export;
        Fatal = fatal;
    }

    /// <summary>The source model, when the file could be read.</summary>
    public ImsvaExport? Export { get; }

    /// <summary>Why the file cannot be used, when it could not be read.</summary>
    public ExportFatalError? Fatal { get; }

    /// <summary>True when <see cref="Export"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Export))]
    [MemberNotNullWhen(false, nameof(Fatal))]
    public bool Succeeded => Export is not null;

    /// <summary>A successful load.</summary>
    public static ImsvaLoadResult Success(ImsvaExport export) => new(export, null);

    /// <summary>A failed load.</summary>
    public static ImsvaLoadResult Failure(ExportFatalError fatal) => new(null, fatal);
}

/// <summary>
/// The single entry point of the first migration stage: reads an InterScan configuration export (<c>.dat</c>)
/// safely and returns the typed source model, or a fatal error with code, place, diagnostic and a ja/en message.
/// Reading has no side effects: nothing is written to disk.
/// </summary>
public static class ImsvaExportLoader
{
    /// <summary>Loads an export from a stream (read to its end; not closed).</summary>
    /// <param name="stream">The <c>.dat</c> content.</param>
    /// <param name="fileName">The file name the user gave (kept in the model and messages).</param>
    /// <param name="options">Limits and timeout; <see cref="LoaderOptions.Default"/> when null.</param>
    /// <param name="progress">Receives progress on large files.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="TimeoutException">The load took longer than <see cref="LoaderOptions.Timeout"/>.</exception>
    public static async Task<ImsvaLoadResult> LoadAsync(Stream stream, string fileName, LoaderOptions? options = null,
        IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        options ??= LoaderOptions.Default;
        using var timeout = new CancellationTokenSource(options.Timeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var sink = new ProgressSink(progress, null);
            var archive = await ArchiveReader.ReadAsync(stream, fileName, options.Limits, sink, linked.Token).ConfigureAwait(false);
            var export = ExportParser.Parse(archive, options.Limits, sink, linked.Token);
            sink.Stage(LoadStage.Completed, archive.CompressedBytes);
            return ImsvaLoadResult.Success(export);
        }
        catch (ExportFatalException ex)
        {
            return ImsvaLoadResult.Failure(ex.Error);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Loading {fileName} took longer than {options.Timeout}.");
        }
    }

    /// <summary>Loads an export from a file.</summary>
    public static async Task<ImsvaLoadResult> LoadFileAsync(string path, LoaderOptions? options = null,
        IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await LoadAsync(file, Path.GetFileName(path), options, progress, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Turns a checked archive into the source model, entry by entry, in a fixed order of checks.</summary>
internal static class ExportParser
{
    public static ImsvaExport Parse(ExportArchive archive, ExportLimits limits, ProgressSink progress, CancellationToken ct)
    {
        var fileName = archive.FileName;
        var exportIni = archive.Find(EntryNames.ExportIni) ?? throw Missing(archive, EntryNames.ExportIni);
        var (info, unknownInfoKeys) = ExportInfoReader.Read(fileName, exportIni, limits);
        foreach (var required in EntryNames.Required)
            if (archive.Find(required) is null) throw Missing(archive, required, info.Product);

        var settings = GlobalSettingsReader.Read(fileName, archive.Find(EntryNames.ImssIni)!, archive.Find(EntryNames.GlobalSettingCsv)!, limits);
        if (!settings.MigrationEnabled)
            throw new ExportFatalException(new ExportFatalError
            {
                Code = FatalErrorCode.MigrationNotEnabled,
                FileName = fileName,
                Entry = EntryNames.GlobalSettingCsv,
                Product = info.Product,
                ProductFound = info.ProductLabel,
                Detail = $"no row {MigrationSwitch.Section},{MigrationSwitch.Name},1,imss.ini in {EntryNames.GlobalSettingCsv}"
                    + (settings.Get(MigrationSwitch.Section, MigrationSwitch.Name) is { } v ? $" (effective value '{v}')" : ""),
                EntriesFound = archive.Names,
            });

        var unknownXml = new List<Source.UnknownXmlNode>();

        T? Xml<T>(string name, Func<XmlContext, XmlNode, T> read) where T : class
        {
            ct.ThrowIfCancellationRequested();
            if (archive.Find(name) is not { } entry) return null;
            progress.Stage(LoadStage.Parsing, archive.CompressedBytes, name);
            var root = SafeXml.Parse(fileName, name, entry.Data, limits);
            var context = new XmlContext(fileName, name, unknownXml);
            var result = read(context, root);
            context.CollectUnknowns(root);
            return result;
        }

        var rules = Xml(EntryNames.Rules, RulesReader.Read)!;
        var objects = Xml(EntryNames.Objects, ObjectsReader.Read)!;
        var internalAddresses = Xml(EntryNames.InternalAddresses, SettingsReaders.ReadInternalAddresses);
        var scanningExceptions = Xml(EntryNames.ScanningExceptions, SettingsReaders.ReadScanningExceptions);
        var senderFiltering = Xml(EntryNames.SenderFiltering, SettingsReaders.ReadSenderFiltering);
        var smtpRouting = Xml(EntryNames.SmtpRouting, SettingsReaders.ReadSmtpRouting);
        var dkim = Xml(EntryNames.DkimSignature, SettingsReaders.ReadDkimSignatures);
        var ldap = Xml(EntryNames.Ldap, SettingsReaders.ReadLdap);
        var euq = Xml(EntryNames.Euq, SettingsReaders.ReadEuq);
        var areas = Xml(EntryNames.Areas, SettingsReaders.ReadAreas);

        var screens = new List<AdminScreen>();
        var unknownEntries = new List<UnknownEntry>();
        foreach (var entry in archive.Entries)
        {
            if (EntryNames.Known.Contains(entry.Name)) continue;
            if (!EntryNames.IsAdminScreen(entry.Name))
            {
                unknownEntries.Add(new UnknownEntry(entry.Name, entry.Data.Length, entry.Data));
                continue;
            }
            var screen = Xml(entry.Name, (x, root) =>
            {
                XmlContext.MarkAll(root);
                return new AdminScreen(Path.GetFileNameWithoutExtension(entry.Name), entry.Name, x.Raw(root));
            });
            screens.Add(screen!);
        }

        // Values outside a vocabulary are noted while reading, the rest after; report each entry in document order.
        var entryOrder = unknownXml.Select(u => u.At.Entry).Distinct().ToList();
        var orderedUnknowns = unknownXml.OrderBy(u => entryOrder.IndexOf(u.At.Entry)).ThenBy(u => u.At.Line).ThenBy(u => u.At.Column).ToArray();

        progress.Stage(LoadStage.Validating, archive.CompressedBytes);
        var dangling = ReferenceValidator.FindDangling(rules, objects, areas, scanningExceptions);
        return new ImsvaExport(
            new ExportFile(fileName, archive.Sha256, archive.CompressedBytes, archive.UncompressedBytes),
            info, settings, rules, objects, internalAddresses, scanningExceptions, senderFiltering, smtpRouting, dkim, ldap, euq, areas,
            screens, archive.Entries.Select(e => new ExportEntry(e.Name, e.Data.Length)).ToArray(), unknownEntries, orderedUnknowns,
            unknownInfoKeys, dangling);
    }

    private static ExportFatalException Missing(ExportArchive archive, string entry, ImsvaProduct? product = null)
    {
        var detail = $"required entry {entry} is missing; entries found: " + (archive.Names.Count == 0 ? "none" : string.Join(", ", archive.Names));
        var folders = archive.Names.Select(n => n.Split('/')[0]).Distinct().ToArray();
        if (folders.Length == 1 && archive.Names.All(n => n.Contains('/')) && archive.Find($"{folders[0]}/{entry}") is not null)
            detail += $"; every entry is inside the folder {folders[0]}/, the format expects them at the top level";
        return new ExportFatalException(new ExportFatalError
        {
            Code = FatalErrorCode.MissingEntry,
            FileName = archive.FileName,
            Entry = entry,
            Product = product,
            Detail = detail,
            EntriesFound = archive.Names,
        });
    }
}
