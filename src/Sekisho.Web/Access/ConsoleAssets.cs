using Microsoft.AspNetCore.Http;

namespace Sekisho.Web.Access;

/// <summary>The console's style sheet and icons, embedded in the assembly (no inline styles: the CSP forbids them).</summary>
internal static class ConsoleAssets
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static IResult Serve(string name, HttpContext context)
    {
        var ext = Path.GetExtension(name);
        if (!Types.TryGetValue(ext, out var type) || name.Contains('/') || name.Contains(".."))
            return Results.NotFound();
        var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("Sekisho.Web.Assets." + name);
        if (stream is null) return Results.NotFound();
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Stream(stream, type);
    }
}
