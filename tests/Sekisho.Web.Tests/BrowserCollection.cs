namespace Sekisho.Web.Tests;

/// <summary>
/// Test classes that drive Chromium run one after another: several browsers at once on the shared cores made page
/// waits time out under load, which is not what these tests are about.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "chromium";
}
