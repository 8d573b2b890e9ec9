using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Sekisho.Mail.Text;

/// <summary>The visible text of an HTML document and the URLs its links, images and forms point to.</summary>
internal sealed record HtmlContent(string VisibleText, IReadOnlyList<string> Links);

/// <summary>Extracts visible text and link targets from HTML with AngleSharp, walking the DOM without recursion.</summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Invisible = new(StringComparer.OrdinalIgnoreCase)
        { "script", "style", "template", "head", "title", "meta", "link", "object", "embed", "svg", "math", "iframe", "frame" };

    private static readonly HashSet<string> Block = new(StringComparer.OrdinalIgnoreCase)
        { "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "hr", "section", "article",
          "header", "footer", "ul", "ol", "dl", "dt", "dd", "address", "center", "form", "fieldset", "nav", "aside", "main", "figure", "caption" };

    private static readonly (string Attribute, string[] Elements)[] LinkAttributes =
    [
        ("href", ["a", "area", "base"]),
        ("src", ["img", "iframe", "frame", "script", "input", "embed", "source", "video", "audio", "track"]),
        ("action", ["form"]),
        ("formaction", ["button", "input"]),
        ("data", ["object"]),
        ("background", ["body", "table", "td", "th", "tr"]),
        ("poster", ["video"]),
    ];

    public static HtmlContent Extract(string html, int maxChars, int maxLinks)
    {
        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        var document = parser.ParseDocument(html);
        var text = new StringBuilder();
        var links = new List<string>();

        foreach (var (attribute, elements) in LinkAttributes)
            foreach (var element in document.QuerySelectorAll(string.Join(',', elements.Select(e => $"{e}[{attribute}]"))))
            {
                if (links.Count >= maxLinks) break;
                var value = element.GetAttribute(attribute);
                if (!string.IsNullOrWhiteSpace(value)) links.Add(value.Trim());
            }
        foreach (var meta in document.QuerySelectorAll("meta[http-equiv]"))
        {
            if (!string.Equals(meta.GetAttribute("http-equiv"), "refresh", StringComparison.OrdinalIgnoreCase)) continue;
            var content = meta.GetAttribute("content") ?? "";
            int u = content.IndexOf("url=", StringComparison.OrdinalIgnoreCase);
            if (u >= 0 && links.Count < maxLinks) links.Add(content[(u + 4)..].Trim().Trim('\'', '"'));
        }

        var root = (INode?)document.Body ?? document.DocumentElement;
        if (root is not null)
        {
            var stack = new Stack<(INode Node, bool Exit)>();
            stack.Push((root, false));
            while (stack.Count > 0 && text.Length < maxChars)
            {
                var (node, exit) = stack.Pop();
                if (node is IElement element)
                {
                    if (exit) { if (Block.Contains(element.LocalName)) NewLine(text); continue; }
                    if (Invisible.Contains(element.LocalName) || IsHidden(element)) continue;
                    if (element.LocalName is "td" or "th") text.Append(' ');
                    if (element.LocalName is "br" or "hr") { NewLine(text); continue; }
                    if (element.LocalName == "img" && element.GetAttribute("alt") is { Length: > 0 } alt) text.Append(alt).Append(' ');
                    if (Block.Contains(element.LocalName)) NewLine(text);
                    stack.Push((node, true));
                    for (var child = node.LastChild; child is not null; child = child.PreviousSibling) stack.Push((child, false));
                }
                else if (node is IText t)
                {
                    AppendCollapsed(text, t.Data);
                }
                else if (!exit && node.NodeType is NodeType.Document or NodeType.DocumentFragment)
                {
                    for (var child = node.LastChild; child is not null; child = child.PreviousSibling) stack.Push((child, false));
                }
            }
        }
        var visible = text.ToString().Trim();
        return new HtmlContent(visible.Length > maxChars ? visible[..maxChars] : visible, links);
    }

    private static bool IsHidden(IElement e)
    {
        if (e.HasAttribute("hidden")) return true;
        var style = e.GetAttribute("style");
        if (string.IsNullOrEmpty(style)) return false;
        var s = style.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        return s.Contains("display:none", StringComparison.Ordinal) || s.Contains("visibility:hidden", StringComparison.Ordinal);
    }

    private static void NewLine(StringBuilder sb)
    {
        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        if (sb.Length > 0 && sb[^1] != '\n') sb.Append('\n');
    }

    private static void AppendCollapsed(StringBuilder sb, string data)
    {
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c) && c != '\u3000')
            {
                if (sb.Length > 0 && sb[^1] is not (' ' or '\n')) sb.Append(' ');
            }
            else sb.Append(c);
        }
    }
}
