using System.Drawing;
using System.Text.Json.Nodes;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace NewsLens.BrowserTests.Dashboard;

/// <summary>
/// axe-core (pinned in tools/browser) scans each view. The page's policy forbids scripts from elsewhere, so axe is
/// injected through WebDriver, which the policy does not govern.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityTests(Browser browser, ITestOutputHelper output)
{
    private static readonly Lazy<string> Axe = new(() => File.ReadAllText(
        Environment.GetEnvironmentVariable("NEWSLENS_AXE_SCRIPT") is { Length: > 0 } path
            ? path
            : Path.Combine(Browser.RepositoryRoot(), "tools", "browser", "node_modules", "axe-core", "axe.min.js")));

    public static TheoryData<string, string> Views => new()
    {
        { "the list", "#/" },
        { "a filtered list", "#/?blindspot=any&sort=most_sources" },
        { "the story page", "#/stories/{demo}" },
    };

    private async Task<string> RouteAsync(string route)
    {
        if (!route.Contains("{demo}"))
        {
            return route;
        }

        var found = await browser.GetJsonAsync("/v1/stories?q=kremlin%20ukraine");
        return route.Replace("{demo}", ((long)found["items"]!.AsArray().Single()!["id"]!).ToString());
    }

    [BrowserFact]
    public async Task NoViewHasASeriousOrCriticalViolationAtEitherWidth()
    {
        var failures = new List<string>();
        foreach (var (name, template) in Views.Select(row => ((string)row[0], (string)row[1])))
        {
            foreach (var viewport in new[] { Browser.Desktop, Browser.Phone })
            {
                browser.Open(await RouteAsync(template), viewport);
                if (template.Contains("{demo}"))
                {
                    browser.WaitFor("svg.timeline-chart");
                    browser.WaitFor("#article-groups .article-group");
                    // The table behind the chart is scanned open.
                    browser.Driver.FindElement(By.CssSelector(".timeline-table summary")).Click();
                }
                else
                {
                    browser.WaitFor("#story-count");
                }

                foreach (var violation in Scan().Select(v => v!))
                {
                    var impact = (string?)violation["impact"];
                    var line = $"{name} at {viewport.Width} px: {impact} {violation["id"]} ({violation["help"]}) at " +
                        string.Join(", ", violation["nodes"]!.AsArray().Select(n => n!["target"]!.ToJsonString()).Take(5));
                    output.WriteLine(line);
                    if (impact is "serious" or "critical")
                    {
                        failures.Add(line);
                    }
                }
            }
        }

        Assert.Empty(failures);
    }

    private JsonArray Scan()
    {
        if (browser.Script("return typeof window.axe") as string != "object")
        {
            browser.Script(Axe.Value);
        }

        var result = (string)browser.Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(JSON.stringify(r.violations)))
              .catch(e => done(JSON.stringify({ error: String(e) })));
            """)!;
        return JsonNode.Parse(result) as JsonArray ?? throw new InvalidOperationException($"axe failed: {result}");
    }

    [BrowserFact]
    public void AxeFindsAViolationWhenThereIsOne()
    {
        // The scan is no formality: an image without alternative text, added to the page, is reported.
        browser.Open("#/", new Size(1280, 900));
        browser.WaitFor("#story-count");
        browser.Script("document.querySelector('img.bias-bar').removeAttribute('alt')");

        Assert.Contains(Scan(), v => (string?)v!["id"] == "image-alt" && (string?)v["impact"] == "critical");
    }
}
