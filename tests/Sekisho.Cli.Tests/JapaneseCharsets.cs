using System.Runtime.CompilerServices;
using System.Text;

namespace Sekisho.Cli.Tests;

/// <summary>
/// Registers the legacy Japanese charsets before any test of this assembly runs. Test collections run in parallel; in
/// full solution runs ISO-2022-JP, Shift_JIS and EUC-JP subjects sometimes came out undecoded in this process while the
/// same tests passed alone, which points at text decoded before the first command registered the charsets.
/// </summary>
internal static class JapaneseCharsets
{
#pragma warning disable CA2255 // the test assembly's own initializer: process-wide and idempotent
    [ModuleInitializer]
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
#pragma warning restore CA2255
}
