namespace NewsLens.BrowserTests.TestSupport;

/// <summary>
/// A browser test: skipped, with the reason, unless <c>NEWSLENS_BROWSER_BASE_URL</c> names a running server
/// (tests/browser/run.sh starts one), so <c>dotnet test NewsLens.sln</c> builds these tests without a browser.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.BaseUrl is null)
        {
            Skip = $"Browser test: run tests/browser/run.sh (it sets {Browser.BaseUrlVariable} to a server it starts).";
        }
    }
}
