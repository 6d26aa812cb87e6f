using System.Drawing;
using OpenQA.Selenium;

namespace NewsLens.BrowserTests.Dashboard;

[Collection(BrowserCollection.Name)]
public class StoryPageTests(Browser browser)
{
    private async Task<long> DemoStoryIdAsync()
    {
        var found = await browser.GetJsonAsync("/v1/stories?q=kremlin%20ukraine");
        return (long)found["items"]!.AsArray().Single()!["id"]!;
    }

    private int Count(string css) => browser.Driver.FindElements(By.CssSelector(css)).Count;

    [BrowserFact]
    public async Task TheStoryPageShowsTheBarTheDetailsTheTimelineAndTheArticlesByLean()
    {
        var id = await DemoStoryIdAsync();
        browser.Open($"#/stories/{id}");

        Assert.Equal(StoryListTests.DemoStoryTitle, browser.WaitFor("h1").Text);
        Assert.Equal("55% of the sources lean Left", browser.WaitFor("#story-label").Text);
        Assert.StartsWith("Blindspot for the Right: the Right barely covers this", browser.WaitFor("#story-blindspot").Text);
        var totals = browser.WaitFor(".totals").Text;
        Assert.Contains("Sources\n23", totals);
        Assert.Contains("Articles\n50", totals);
        Assert.Contains("Rated sources\n20", totals);
        Assert.Contains("Unrated sources\n3", totals);
        Assert.Equal("Left 11 55% 34–75%", browser.WaitFor(".lean-row-left").Text);
        Assert.Equal(7, Count(".mixes .mix:nth-child(1) .mix-row"));
        Assert.Equal(9, Count(".mixes .mix:nth-child(2) .mix-row"));
        var coverage = await browser.GetJsonAsync($"/v1/stories/{id}/coverage");
        Assert.Equal($"High\n{coverage["factuality"]!["high"]}", browser.Driver.FindElement(By.CssSelector(".mix-row[data-key='high']")).Text);

        // The timeline: one column per bucket of the API's answer, holding every source once.
        var timeline = await browser.GetJsonAsync($"/v1/stories/{id}/timeline?bucket=hour&basis=sources");
        var buckets = timeline["buckets"]!.AsArray();
        browser.WaitFor("svg.timeline-chart");
        Assert.Equal(buckets.Count, Count("svg.timeline-chart g.bucket"));
        Assert.Equal(23, ColumnTotal());
        Assert.StartsWith("The Left covered it first", browser.WaitFor("#first-by-side").Text);

        browser.Driver.FindElement(By.CssSelector("input[name='timeline-basis'][value='articles']")).Click();
        browser.WaitUntil(() => ColumnTotal() == 50, "the timeline counted by articles");
        browser.Driver.FindElement(By.CssSelector("input[name='timeline-basis'][value='sources']")).Click();
        browser.WaitUntil(() => ColumnTotal() == 23, "the timeline counted by sources again");

        // The articles, grouped by their outlet's lean: the same groups as a recount of the API's article list.
        var articles = await browser.GetAllAsync($"/v1/stories/{id}/articles?limit=200");
        browser.WaitFor("#article-groups .article-group");
        foreach (var lean in new[] { "left", "center", "right", "unrated" })
        {
            var theirs = articles.Where(a => ((string?)a["outlet"]!["lean"] ?? "unrated") == lean).ToList();
            var outlets = theirs.Select(a => (long)a["outlet"]!["id"]!).Distinct().Count();
            Assert.Equal(theirs.Count, Count($".article-group[data-lean='{lean}'] li.article"));
            Assert.Equal(outlets, Count($".article-group[data-lean='{lean}'] li.outlet"));
            if (theirs.Count > 0)
            {
                Assert.EndsWith($"{theirs.Count} articles from {outlets} outlets", browser.Driver.FindElement(By.Id($"group-{lean}")).Text);
            }
        }

        Assert.Equal(50, Count("li.article"));
        Assert.Equal("Articles (50)", browser.Driver.FindElement(By.Id("articles-heading")).Text);
        Assert.Empty(browser.TakeErrors());
        browser.SaveScreenshot("story-desktop", Browser.Desktop);
        browser.Script("window.scrollTo(0, 0)");
        browser.SaveScreenshot("story-desktop-top", new Size(1280, 1400), wholePage: false);
    }

    private int ColumnTotal() =>
        browser.Driver.FindElements(By.CssSelector("svg.timeline-chart g.bucket")).Sum(g => int.Parse(g.GetAttribute("data-total")!));

    [BrowserFact]
    public async Task TheStoryPageIsReadableAt360PixelsWide()
    {
        var id = await DemoStoryIdAsync();
        browser.Open($"#/stories/{id}", Browser.Phone);
        browser.WaitFor("svg.timeline-chart");
        browser.WaitFor("#article-groups .article-group");

        Assert.True((bool)browser.Script("return document.documentElement.scrollWidth <= window.innerWidth")!, "the story page scrolls sideways at 360 px");
        Assert.InRange(browser.Driver.FindElement(By.Id("story-bar")).Size.Width, 120, 336);
        Assert.Empty(browser.TakeErrors());
        browser.SaveScreenshot("story-360", Browser.Phone);
    }

    [BrowserFact]
    public void AnUnknownStoryIsNotFoundWithAWayBack()
    {
        browser.Open("#/stories/987654321");

        Assert.Equal("Not found", browser.WaitFor("h1").Text);
        Assert.Contains("#/", browser.Driver.FindElement(By.LinkText("Back to the story list")).GetAttribute("href"));
        Assert.All(browser.TakeErrors(), e => Assert.Contains("404", e));
    }

    [BrowserFact]
    public async Task ArticleLinksGoOnlyToTheirHttpAddresses()
    {
        var id = await DemoStoryIdAsync();
        browser.Open($"#/stories/{id}");
        browser.WaitFor("#article-groups .article-group");

        var hrefs = browser.Driver.FindElements(By.CssSelector("li.article a")).Select(a => a.GetAttribute("href")!).ToList();
        var urls = (await browser.GetAllAsync($"/v1/stories/{id}/articles?limit=200")).Select(a => (string)a["url"]!).ToHashSet();
        Assert.Equal(50, hrefs.Count);
        Assert.All(hrefs, href => Assert.Contains(href, urls));
        Assert.All(browser.Driver.FindElements(By.CssSelector("li.article a")), a => Assert.Contains("noreferrer", a.GetAttribute("rel")));
    }
}
