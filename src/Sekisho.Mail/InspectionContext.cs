using System.Collections.Immutable;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using MimeKit.Tnef;
using MimeKit.Utils;
using Sekisho.Mail.Archives;
using Sekisho.Mail.Formats;
using Sekisho.Mail.Text;

namespace Sekisho.Mail;

/// <summary>The mutable state of one inspection; <see cref="Build"/> freezes it into <see cref="MessageFacts"/>.</summary>
internal sealed class InspectionContext
{
    private readonly InspectionOptions _options;
    private readonly CancellationToken _ct;
    private readonly ExtractionBudget _budget;
    private readonly ParserOptions _parserOptions;
    private readonly List<MimePartFacts> _parts = [];
    private readonly List<AttachmentBuilder> _attachments = [];
    private readonly List<ScanException> _exceptions = [];
    private readonly List<string> _body = [];
    private readonly Dictionary<string, (string Host, List<UrlSource> Sources)> _urls = new(StringComparer.Ordinal);
    private readonly List<string> _urlOrder = [];
    private MessageHeaders _headers = new();
    private ReadOnlyMemory<byte> _raw;
    private bool _signed, _encrypted;
    private SecurityFormats _formats;
    private int _entityCount;
    private bool _partLimitReported, _attachmentLimitReported;

    public InspectionContext(InspectionOptions options, CancellationToken ct)
    {
        _options = options;
        _ct = ct;
        _budget = new ExtractionBudget(options, ct);
        _parserOptions = new ParserOptions { MaxMimeDepth = options.MaxMimeDepth + 1, CharsetEncoding = Encoding.UTF8 };
    }

    /// <summary>An attachment that can hold others (archive, attached message, TNEF part).</summary>
    private sealed class AttachmentBuilder
    {
        public int Index;
        public int? ParentIndex;
        public string Name = "";
        public string ContainerPath = "";
        public int Depth;
        public int Layer;
        public string? DeclaredMimeType;
        public TrueFileType TrueType;
        public long Size;
        public bool PasswordProtected;
        public ActiveContent Active;
        public string PartPath = "";
        public AttachmentOrigin Origin;
        public bool Extracted = true;
        public StringBuilder? Text;

        public void AppendText(string? text, int max)
        {
            if (string.IsNullOrEmpty(text)) return;
            Text ??= new StringBuilder();
            if (Text.Length > 0) Text.Append("\n\n");
            Text.Append(text.AsSpan(0, Math.Min(text.Length, Math.Max(0, max - Text.Length))));
        }
    }

    public void AddException(ScanExceptionKind kind, string? partPath, string? containerPath, string detail) =>
        _exceptions.Add(new ScanException(kind, partPath, containerPath, detail));

    public void Run(ReadOnlyMemory<byte> bytes)
    {
        _raw = bytes;
        var message = Parse(bytes, out var problem);
        if (message is null)
        {
            AddException(ScanExceptionKind.MalformedMessage, null, null, problem ?? "no message headers");
            return;
        }
        if (message.Headers.Count == 0)
            AddException(ScanExceptionKind.MalformedMessage, null, null, "no header fields");
        _headers = ReadHeaders(message.Headers, null);
        if (_headers.Subject is { } subject)
            foreach (var url in UrlExtractor.FindInText(subject, 100)) AddUrl(url, UrlSourceKind.Subject, "subject");
        if (message.Body is null)
        {
            AddException(ScanExceptionKind.MalformedMessage, null, null, "no body");
            return;
        }
        Walk(message.Body, "1", 0, null);
    }

    /// <summary>MimeKit keeps whether it saw the closing delimiter to itself; look for "--boundary--" in the raw bytes instead.</summary>
    private bool HasClosingBoundary(string boundary)
    {
        var delimiter = Encoding.UTF8.GetBytes("--" + boundary + "--");
        return _raw.Span.IndexOf(delimiter) >= 0;
    }

    private MimeMessage? Parse(ReadOnlyMemory<byte> bytes, out string? problem)
    {
        problem = null;
        var span = bytes.Span;
        int start = 0;
        // Messages saved from mailboxes often begin with the mbox "From " separator line.
        if (span.StartsWith("From "u8))
        {
            int nl = span.IndexOf((byte)'\n');
            start = nl < 0 ? span.Length : nl + 1;
        }
        try
        {
            using var stream = MemoryStreams.Open(bytes[start..]);
            var parser = new MimeParser(_parserOptions, stream, MimeFormat.Entity, persistent: false);
            return parser.ParseMessage(_ct);
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private MessageHeaders ReadHeaders(HeaderList headers, string? partPath)
    {
        var all = ImmutableArray.CreateBuilder<HeaderField>();
        foreach (var h in headers)
        {
            if (all.Count >= _options.MaxHeaders)
            {
                AddException(ScanExceptionKind.MalformedMessage, partPath, null, $"more than {_options.MaxHeaders} header fields");
                break;
            }
            all.Add(new HeaderField(h.Field, HeaderDecoder.DecodeText(_parserOptions, h.RawValue, _options.MaxTextCharsPerPart)));
        }
        var fields = all.ToImmutable();
        string? First(string name) => fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;
        ImmutableArray<MailAddress> Addresses(HeaderId id)
        {
            var result = ImmutableArray.CreateBuilder<MailAddress>();
            foreach (var h in headers.Where(h => h.Id == id).Take(10))
                result.AddRange(HeaderDecoder.DecodeAddresses(_parserOptions, h.RawValue, 1000));
            return result.ToImmutable();
        }
        DateTimeOffset? date = null;
        if (headers[HeaderId.Date] is { } rawDate && DateUtils.TryParse(rawDate, out var parsed)) date = parsed;
        var messageId = First("Message-Id")?.Trim();
        if (messageId is { Length: > 1 } && messageId[0] == '<' && messageId.IndexOf('>') is var close and > 0) messageId = messageId[1..close];
        return new MessageHeaders
        {
            Subject = First("Subject"),
            From = Addresses(HeaderId.From),
            Sender = Addresses(HeaderId.Sender).FirstOrDefault(),
            ReplyTo = Addresses(HeaderId.ReplyTo),
            To = Addresses(HeaderId.To),
            Cc = Addresses(HeaderId.Cc),
            MessageId = string.IsNullOrWhiteSpace(messageId) ? null : messageId,
            Date = date,
            All = fields,
        };
    }

    private bool CountEntity(string path)
    {
        if (++_entityCount <= _options.MaxParts) return true;
        if (!_partLimitReported)
        {
            _partLimitReported = true;
            AddException(ScanExceptionKind.MalformedMessage, path, null, $"more than {_options.MaxParts} MIME parts");
        }
        return false;
    }

    /// <summary>Walks a MIME entity. <paramref name="container"/> is the attached message it belongs to, null for the message itself.</summary>
    private void Walk(MimeEntity entity, string path, int depth, AttachmentBuilder? container, bool insideEncrypted = false)
    {
        _ct.ThrowIfCancellationRequested();
        if (!CountEntity(path)) return;
        if (depth > _options.MaxMimeDepth)
        {
            AddException(ScanExceptionKind.MalformedMessage, path, container?.ContainerPath, $"MIME nesting deeper than {_options.MaxMimeDepth}");
            return;
        }
        var type = entity.ContentType;
        string mediaType = type.MimeType.ToLowerInvariant();
        string? disposition = entity.ContentDisposition?.Disposition?.ToLowerInvariant();
        string? fileName = SafeFileName(entity);

        switch (entity)
        {
            case Multipart multipart:
                _parts.Add(new MimePartFacts(path, depth, mediaType, type.Charset, fileName, disposition, null, 0, TrueFileType.Unknown, MimePartRole.Multipart));
                if (multipart is MultipartSigned) MarkSigned(type.Parameters["protocol"]);
                if (multipart is MultipartEncrypted) { _encrypted = true; _formats |= SecurityFormats.PgpMime; }
                if (string.IsNullOrEmpty(multipart.Boundary))
                    AddException(ScanExceptionKind.MalformedMessage, path, container?.ContainerPath, "multipart without a boundary");
                else if (!HasClosingBoundary(multipart.Boundary))
                    AddException(ScanExceptionKind.MalformedMessage, path, container?.ContainerPath, "multipart without its closing boundary");
                for (int i = 0; i < multipart.Count; i++)
                    Walk(multipart[i], $"{path}.{i + 1}", depth + 1, container, multipart is MultipartEncrypted);
                return;

            case MessagePart messagePart:
                WalkMessagePart(messagePart, path, depth, fileName, container);
                return;

            case MimePart part:
                WalkLeaf(part, path, depth, mediaType, fileName, disposition, container, insideEncrypted);
                return;

            default:
                _parts.Add(new MimePartFacts(path, depth, mediaType, type.Charset, fileName, disposition, null, 0, TrueFileType.Unknown, MimePartRole.Attachment));
                return;
        }
    }

    private void MarkSigned(string? protocol)
    {
        _signed = true;
        _formats |= protocol is not null && protocol.Contains("pgp", StringComparison.OrdinalIgnoreCase) ? SecurityFormats.PgpMime : SecurityFormats.SMime;
    }

    private void WalkMessagePart(MessagePart messagePart, string path, int depth, string? fileName, AttachmentBuilder? container)
    {
        var inner = messagePart.Message;
        var bytes = new MemoryStream();
        inner?.WriteTo(bytes, _ct);
        var mediaType = messagePart.ContentType.MimeType.ToLowerInvariant();
        _parts.Add(new MimePartFacts(path, depth, mediaType, null, fileName, messagePart.ContentDisposition?.Disposition?.ToLowerInvariant(),
            messagePart.Headers[HeaderId.ContentTransferEncoding]?.Trim().ToLowerInvariant(), bytes.Length, TrueFileType.Eml, MimePartRole.Message));
        var name = fileName ?? (inner?.Subject is { Length: > 0 } s ? HeaderDecoder.SafeName(s) + ".eml" : "message.eml");
        var eml = NewAttachment(name, mediaType, TrueFileType.Eml, bytes.Length, path, container, AttachmentOrigin.MimePart);
        if (eml is null || inner is null) return;
        WalkEmbeddedMessage(inner, path + ".1", depth + 1, eml);
    }

    private void WalkEmbeddedMessage(MimeMessage inner, string bodyPath, int depth, AttachmentBuilder eml)
    {
        var headers = ReadHeaders(inner.Headers, bodyPath);
        if (headers.Subject is { Length: > 0 } subject) eml.AppendText(subject, _options.MaxTextCharsPerPart);
        if (inner.Body is not null) Walk(inner.Body, bodyPath, depth, eml);
    }

    private void WalkLeaf(MimePart part, string path, int depth, string mediaType, string? fileName, string? disposition, AttachmentBuilder? container, bool insideEncrypted)
    {
        var content = Decode(part, path, container);
        var trueType = FileTypeDetector.Detect(content);
        string? encoding = part.Headers[HeaderId.ContentTransferEncoding]?.Trim().ToLowerInvariant();
        string? charset = part.ContentType.Charset;

        bool isBodyText = part is TextPart text && (text.IsPlain || text.IsHtml) && !part.IsAttachment && string.IsNullOrEmpty(fileName);
        var role = part switch
        {
            TnefPart => MimePartRole.Tnef,
            _ when trueType == TrueFileType.Tnef => MimePartRole.Tnef,
            ApplicationPkcs7Mime pkcs7 => ProtectedRole(pkcs7),
            ApplicationPkcs7Signature or ApplicationPgpSignature => MimePartRole.Signature,
            _ when mediaType is "application/x-pkcs7-signature" or "application/pgp-signature" => MimePartRole.Signature,
            _ when insideEncrypted => MimePartRole.Protected,
            _ => isBodyText ? MimePartRole.Body : MimePartRole.Attachment,
        };
        if (role == MimePartRole.Signature) MarkSigned(mediaType);
        _parts.Add(new MimePartFacts(path, depth, mediaType, charset, fileName, disposition, encoding, content.Length, trueType, role));

        if (role == MimePartRole.Body)
        {
            var decoded = Charsets.Decode(content, charset, _options.MaxTextCharsPerPart);
            CheckInlinePgp(decoded);
            string visible;
            if (((TextPart)part).IsHtml)
            {
                var html = HtmlText.Extract(decoded, _options.MaxTextCharsPerPart, _options.MaxUrls);
                visible = html.VisibleText;
                foreach (var link in html.Links) AddUrl(link, container is null ? UrlSourceKind.BodyHtmlLink : UrlSourceKind.AttachmentHtmlLink, path);
                foreach (var url in UrlExtractor.FindInText(visible, _options.MaxUrls)) AddUrl(url, container is null ? UrlSourceKind.BodyHtmlText : UrlSourceKind.AttachmentText, path);
            }
            else
            {
                visible = decoded;
                foreach (var url in UrlExtractor.FindInText(visible, _options.MaxUrls)) AddUrl(url, container is null ? UrlSourceKind.BodyText : UrlSourceKind.AttachmentText, path);
            }
            if (container is null) _body.Add(visible);
            else container.AppendText(visible, _options.MaxTextCharsPerPart);
            return;
        }

        var name = fileName ?? "";
        var attachment = AddContent(content, name, mediaType, charset, path, container, AttachmentOrigin.MimePart, container?.Layer ?? 0, depth, trueType);
        if (attachment is not null && role == MimePartRole.Tnef)
            ExtractTnef(part as TnefPart ?? new TnefPart { Content = new MimeContent(new MemoryStream(content)) }, path, depth, attachment);
    }

    private MimePartRole ProtectedRole(ApplicationPkcs7Mime pkcs7)
    {
        _formats |= SecurityFormats.SMime;
        switch (pkcs7.SecureMimeType)
        {
            case SecureMimeType.EnvelopedData or SecureMimeType.AuthEnvelopedData: _encrypted = true; break;
            case SecureMimeType.SignedData: _signed = true; break;
        }
        return MimePartRole.Protected;
    }

    private void CheckInlinePgp(string text)
    {
        if (text.Contains("-----BEGIN PGP SIGNED MESSAGE-----", StringComparison.Ordinal)) { _signed = true; _formats |= SecurityFormats.InlinePgp; }
        if (text.Contains("-----BEGIN PGP MESSAGE-----", StringComparison.Ordinal)) { _encrypted = true; _formats |= SecurityFormats.InlinePgp; }
    }

    private byte[] Decode(MimePart part, string path, AttachmentBuilder? container)
    {
        if (part.Content is null) return [];
        try
        {
            using var output = new MemoryStream();
            part.Content.DecodeTo(output, _ct);
            return output.ToArray();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            AddException(ScanExceptionKind.MalformedMessage, path, container?.ContainerPath, "content could not be decoded: " + e.Message);
            return [];
        }
    }

    private static string? SafeFileName(MimeEntity entity)
    {
        try
        {
            var name = entity is MimePart p ? p.FileName : entity.ContentDisposition?.FileName ?? entity.ContentType.Name;
            return string.IsNullOrWhiteSpace(name) ? null : HeaderDecoder.SafeName(name);
        }
        catch (FormatException) { return null; }
    }

    private AttachmentBuilder? NewAttachment(string name, string? declaredMime, TrueFileType trueType, long size, string partPath,
        AttachmentBuilder? parent, AttachmentOrigin origin)
    {
        if (_attachments.Count >= _options.MaxAttachments)
        {
            if (!_attachmentLimitReported)
            {
                _attachmentLimitReported = true;
                AddException(ScanExceptionKind.TooManyFiles, partPath, parent?.ContainerPath, $"more than {_options.MaxAttachments} attachments in the message");
            }
            return null;
        }
        var segment = name.Length > 0 ? name : $"[{partPath}]";
        var builder = new AttachmentBuilder
        {
            Index = _attachments.Count,
            ParentIndex = parent?.Index,
            Name = name.Contains('/') ? name[(name.LastIndexOf('/') + 1)..] : name,
            ContainerPath = parent is null ? segment : parent.ContainerPath + "/" + segment,
            Depth = parent is null ? 0 : parent.Depth + 1,
            Layer = parent?.Layer ?? 0,
            DeclaredMimeType = declaredMime,
            TrueType = trueType,
            Size = size,
            PartPath = partPath,
            Origin = origin,
        };
        _attachments.Add(builder);
        return builder;
    }

    /// <summary>Records one file (MIME attachment, archive member, TNEF file) and looks inside it.</summary>
    private AttachmentBuilder? AddContent(byte[] content, string name, string? declaredMime, string? charset, string partPath,
        AttachmentBuilder? parent, AttachmentOrigin origin, int layer, int mimeDepth, TrueFileType? knownType = null)
    {
        _ct.ThrowIfCancellationRequested();
        var trueType = knownType ?? FileTypeDetector.Detect(content);
        var a = NewAttachment(name, declaredMime, trueType, content.LongLength, partPath, parent, origin);
        if (a is null) return null;
        a.Layer = layer;
        AnalyzeDocument(a, content, trueType, charset);

        if (ArchiveExpander.CanExpand(trueType))
        {
            if (layer + 1 > _options.MaxArchiveLayers)
            {
                AddException(ScanExceptionKind.TooManyLayers, partPath, a.ContainerPath, $"more than {_options.MaxArchiveLayers} layers");
                return a;
            }
            var listing = ArchiveExpander.Expand(trueType, content, a.Name.Length > 0 ? a.Name : "archive", _budget);
            if (listing.Encrypted) a.PasswordProtected = true;
            if (listing.Stopped is { } stopped) AddException(stopped.Kind, partPath, a.ContainerPath, stopped.Detail);
            foreach (var member in listing.Members)
            {
                var memberMime = MimeTypes.GetMimeType(member.Path);
                if (member.Content is null)
                {
                    var m = NewAttachment(member.Path, memberMime, TrueFileType.Unknown, member.Size, partPath, a, AttachmentOrigin.ArchiveMember);
                    if (m is null) break;
                    m.Layer = layer + 1;
                    m.Extracted = false;
                    m.PasswordProtected = member.Encrypted;
                    if (member.Limit is { } kind) AddException(kind, partPath, m.ContainerPath, member.Problem ?? "");
                    else if (!member.Encrypted && member.Problem is not null) AddException(ScanExceptionKind.UnreadableContent, partPath, m.ContainerPath, member.Problem);
                    continue;
                }
                if (AddContent(member.Content, member.Path, memberMime, null, partPath, a, AttachmentOrigin.ArchiveMember, layer + 1, mimeDepth) is null) break;
            }
        }
        else if (trueType == TrueFileType.Eml && !(origin == AttachmentOrigin.MimePart && declaredMime is "message/rfc822" or "message/global"))
        {
            if (mimeDepth + 1 > _options.MaxMimeDepth)
                AddException(ScanExceptionKind.MalformedMessage, partPath, a.ContainerPath, $"MIME nesting deeper than {_options.MaxMimeDepth}");
            else if (Parse(content, out _) is { } inner)
            {
                var outer = _raw;
                _raw = content;
                try { WalkEmbeddedMessage(inner, partPath + ".m", mimeDepth + 1, a); }
                finally { _raw = outer; }
            }
        }
        else if (trueType == TrueFileType.Tnef && origin != AttachmentOrigin.MimePart)
        {
            ExtractTnef(new TnefPart { Content = new MimeContent(new MemoryStream(content)) }, partPath, mimeDepth, a);
        }
        return a;
    }

    private void AnalyzeDocument(AttachmentBuilder a, byte[] content, TrueFileType type, string? charset)
    {
        DocumentFacts? facts = null;
        bool text = _options.ExtractAttachmentText;
        switch (type)
        {
            case TrueFileType.Pdf:
                facts = PdfAnalyzer.Analyze(content, _options.MaxPdfPages, _options.MaxTextCharsPerPart, text, _ct);
                foreach (var link in facts.Links) AddUrl(link, UrlSourceKind.PdfLink, a.ContainerPath);
                break;
            case TrueFileType.Docx or TrueFileType.Xlsx or TrueFileType.Pptx or TrueFileType.Docm or TrueFileType.Xlsm or TrueFileType.Pptm:
                facts = OfficeAnalyzer.AnalyzeOoxml(content, type, _options, text, _ct);
                break;
            case TrueFileType.Odf:
                facts = OfficeAnalyzer.AnalyzeOdf(content, _options, text);
                break;
            case TrueFileType.Doc or TrueFileType.Xls or TrueFileType.Ppt or TrueFileType.Msi:
                facts = OfficeAnalyzer.AnalyzeOle(content, type);
                break;
            case TrueFileType.Unknown when CompoundFile.HasSignature(content):
                facts = OfficeAnalyzer.AnalyzeOle(content, type);
                break;
            case TrueFileType.Html or TrueFileType.Hta:
                if (text)
                {
                    var html = HtmlText.Extract(Charsets.Decode(content, charset ?? HtmlMetaCharset(content), _options.MaxTextCharsPerPart), _options.MaxTextCharsPerPart, _options.MaxUrls);
                    foreach (var link in html.Links) AddUrl(link, UrlSourceKind.AttachmentHtmlLink, a.ContainerPath);
                    facts = DocumentFacts.Empty with { Text = html.VisibleText };
                }
                break;
            case TrueFileType.Text or TrueFileType.Xml or TrueFileType.Vbs or TrueFileType.Js or TrueFileType.Wsf or TrueFileType.Bat or TrueFileType.Ps1:
                if (text) facts = DocumentFacts.Empty with { Text = Charsets.Decode(content, charset, _options.MaxTextCharsPerPart) };
                break;
        }
        if (facts is null) return;
        a.PasswordProtected |= facts.PasswordProtected;
        a.Active |= facts.ActiveContent;
        foreach (var (kind, detail) in facts.Exceptions) AddException(kind, a.PartPath, a.ContainerPath, detail);
        if (facts.Text is { Length: > 0 } t)
        {
            a.AppendText(t, _options.MaxTextCharsPerPart);
            foreach (var url in UrlExtractor.FindInText(t, _options.MaxUrls)) AddUrl(url, UrlSourceKind.AttachmentText, a.ContainerPath);
        }
    }

    private static string? HtmlMetaCharset(byte[] content)
    {
        var head = Encoding.Latin1.GetString(content, 0, Math.Min(content.Length, 2048));
        int i = head.IndexOf("charset=", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return null;
        var rest = head[(i + 8)..].TrimStart('"', '\'', ' ');
        int end = rest.IndexOfAny(['"', '\'', ' ', ';', '>', '/']);
        return end <= 0 ? null : rest[..end];
    }

    private void ExtractTnef(TnefPart tnef, string path, int depth, AttachmentBuilder tnefAttachment)
    {
        try
        {
            var message = tnef.ConvertToMessage();
            if (message.TextBody is { Length: > 0 } body) tnefAttachment.AppendText(body, _options.MaxTextCharsPerPart);
            else if (message.HtmlBody is { Length: > 0 } htmlBody)
                tnefAttachment.AppendText(HtmlText.Extract(htmlBody, _options.MaxTextCharsPerPart, _options.MaxUrls).VisibleText, _options.MaxTextCharsPerPart);
            int i = 0;
            foreach (var attachment in message.Attachments.OfType<MimePart>())
            {
                _ct.ThrowIfCancellationRequested();
                var tnefPath = $"{path}.t{++i}";
                if (!CountEntity(tnefPath)) break;
                var content = Decode(attachment, tnefPath, tnefAttachment);
                var name = SafeFileName(attachment) ?? "";
                var trueType = FileTypeDetector.Detect(content);
                _parts.Add(new MimePartFacts(tnefPath, depth + 1, attachment.ContentType.MimeType.ToLowerInvariant(), null, name.Length > 0 ? name : null,
                    "attachment", null, content.Length, trueType, MimePartRole.Attachment));
                AddContent(content, name, attachment.ContentType.MimeType.ToLowerInvariant(), null, tnefPath, tnefAttachment,
                    AttachmentOrigin.TnefAttachment, tnefAttachment.Layer, depth + 1, trueType);
            }
        }
        catch (Exception e) when (e is TnefException or FormatException or IOException or InvalidOperationException or ArgumentException)
        {
            AddException(ScanExceptionKind.UnreadableContent, path, tnefAttachment.ContainerPath, "TNEF: " + e.Message);
        }
    }

    private void AddUrl(string raw, UrlSourceKind kind, string location)
    {
        if (!UrlExtractor.TryNormalize(raw, out var url, out var host)) return;
        if (_urls.TryGetValue(url, out var entry))
        {
            if (entry.Sources.Count < 100 && !entry.Sources.Any(s => s.Kind == kind && s.Location == location))
                entry.Sources.Add(new UrlSource(kind, location));
            return;
        }
        if (_urls.Count >= _options.MaxUrls) return;
        _urls[url] = (host, [new UrlSource(kind, location)]);
        _urlOrder.Add(url);
    }

    public MessageFacts Build(long size)
    {
        var attachments = _attachments.Select(a => new AttachmentFacts
        {
            Index = a.Index,
            ParentIndex = a.ParentIndex,
            Name = a.Name,
            ContainerPath = a.ContainerPath,
            Depth = a.Depth,
            DeclaredMimeType = a.DeclaredMimeType,
            TrueType = a.TrueType,
            Size = a.Size,
            IsPasswordProtected = a.PasswordProtected,
            ActiveContent = a.Active,
            PartPath = a.PartPath,
            Origin = a.Origin,
            IsExtracted = a.Extracted,
            Text = a.Text?.ToString(),
        }).ToImmutableArray();
        return new MessageFacts
        {
            SizeBytes = size,
            Headers = _headers,
            BodyText = string.Join("\n\n", _body.Where(b => b.Length > 0)),
            Parts = [.. _parts],
            Attachments = attachments,
            Urls = [.. _urlOrder.Select(u => new UrlFacts(u, _urls[u].Host, [.. _urls[u].Sources]))],
            Security = new MessageSecurity(_signed, _encrypted, _formats),
            ScanExceptions = [.. _exceptions],
        };
    }
}

