namespace Sekisho.Cli.Tests;

/// <summary>
/// Test classes that start <c>sekisho serve</c> run one after another: each takes free ports by binding port 0 and
/// letting go, and two servers starting at once could be handed the same one; and each serve process is heavy on the
/// two cores the tests share.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ServeCollection
{
    public const string Name = "serve processes";
}
