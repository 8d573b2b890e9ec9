using System.Net;
using System.Text;
using MimeKit;
using Sekisho.Mail;
using Sekisho.Model.Objects;

namespace Sekisho.Policy.Apply;

/// <summary>Edits one parsed message: removes attachments, inserts stamps, headers and subject tags. Paths follow <see cref="MimePartFacts.Path"/>.</summary>
internal sealed class MessageEditor
{
    static MessageEditor() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private readonly MimeMessage _message;

    public MessageEditor(ReadOnlyMemory<byte> raw)
    {
        using var s = new MemoryStream(raw.ToArray(), writable: false);
        _message = MimeMessage.Load(s);
    }

    public MimeMessage Message => _message;

    /// <summary>Every entity with its path and parent multipart.</summary>
    public IEnumerable<(string Path, MimeEntity Entity, Multipart? Parent)> Entities()
    {
        if (_message.Body is null) yield break;
        var stack = new Stack<(string, MimeEntity, Multipart?)>();
        stack.Push(("1", _message.Body, null));
        while (stack.Count > 0)
        {
            var (path, entity, parent) = stack.Pop();
            yield return (path, entity, parent);
            if (entity is Multipart mp)
                for (int i = mp.Count - 1; i >= 0; i--) stack.Push(($"{path}.{i + 1}", mp[i], mp));
        }
    }

    /// <summary>Replaces the parts at the given paths by a short bilingual notice; returns the names removed.</summary>
    public List<string> RemoveParts(IReadOnlyCollection<string> paths, string ruleName)
    {
        var removed = new List<string>();
        foreach (var (path, entity, parent) in Entities().ToList())
        {
            if (!paths.Contains(path) || parent is null) continue;
            var name = (entity as MimePart)?.FileName ?? entity.ContentDisposition?.FileName ?? entity.ContentType.Name ?? "attachment";
            var notice = new TextPart("plain")
            {
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "removed-attachment.txt" },
            };
            notice.SetText(Encoding.UTF8,
                $"添付ファイル「{name}」はポリシールール「{ruleName}」により削除されました。\r\n" +
                $"The attachment \"{name}\" was removed by the policy rule \"{ruleName}\".\r\n");
            int index = parent.IndexOf(entity);
            parent[index] = notice;
            removed.Add(name);
        }
        return removed;
    }

    /// <summary>Decoded content of a part (for scanning).</summary>
    public byte[] Decoded(MimePart part)
    {
        using var ms = new MemoryStream();
        part.Content?.DecodeTo(ms);
        return ms.ToArray();
    }

    public void SetHeader(string name, string value) => _message.Headers.Replace(name, value);

    public void TagSubject(string tag)
    {
        var subject = _message.Subject ?? "";
        if (subject.StartsWith(tag, StringComparison.Ordinal)) return;
        _message.Subject = subject.Length == 0 ? tag : tag + " " + subject;
    }

    /// <summary>Inserts the stamp into every text/plain and text/html body part (attachments untouched).</summary>
    public int Stamp(Stamp stamp, TokenValues tokens, IReadOnlyCollection<string> bodyPaths)
    {
        var text = tokens.Render(stamp.Text);
        var html = stamp.Html is { } h ? tokens.Render(h, html: true) : "<div>" + WebUtility.HtmlEncode(text).Replace("\n", "<br>\n", StringComparison.Ordinal) + "</div>";
        int count = 0;
        foreach (var (path, entity, _) in Entities().ToList())
        {
            if (entity is not TextPart part || !bodyPaths.Contains(path)) continue;
            var encoding = EncodingOf(part);
            var current = part.GetText(out _) ?? "";
            string updated;
            if (part.IsHtml)
            {
                if (stamp.Position == StampPosition.Beginning)
                {
                    int body = current.IndexOf("<body", StringComparison.OrdinalIgnoreCase);
                    int gt = body >= 0 ? current.IndexOf('>', body) : -1;
                    updated = gt >= 0 ? current[..(gt + 1)] + html + current[(gt + 1)..] : html + current;
                }
                else
                {
                    int end = current.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
                    updated = end >= 0 ? current[..end] + html + current[end..] : current + html;
                }
            }
            else
            {
                var nl = current.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
                var block = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", nl, StringComparison.Ordinal);
                updated = stamp.Position == StampPosition.Beginning ? block + nl + nl + current : current.TrimEnd('\r', '\n') + nl + nl + block + nl;
            }
            part.SetText(encoding, updated);
            count++;
        }
        return count;
    }

    private static Encoding EncodingOf(TextPart part)
    {
        var charset = part.ContentType.Charset;
        if (string.IsNullOrEmpty(charset) || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)) return Encoding.UTF8;
        try
        {
            return Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    public byte[] ToBytes()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var ms = new MemoryStream();
        _message.WriteTo(options, ms);
        return ms.ToArray();
    }
}
