using OpenQA.Selenium;

namespace NewsLens.BrowserTests.Dashboard;

[Collection(BrowserCollection.Name)]
public class StoryListTests(Browser browser)
{
    public const string DemoStoryTitle = "Kremlin says it doesn't like European proposals on security guarantees for Ukraine";

    private IReadOnlyList<IWebElement> Cards() => browser.Driver.FindElements(By.CssSelector("#story-list > li.story-card"));

    private List<string> CardTitles() => Cards().Select(c => c.FindElement(By.CssSelector(".story-title a")).Text).ToList();

    [BrowserFact]
    public async Task TheListShowsEveryStoryWithItsBarAndCountsAndNoConsoleError()
    {
        browser.Open("#/");

        var stories = await browser.GetAllAsync("/v1/stories?include=coverage&limit=200");
        browser.WaitUntil(() => Cards().Count == stories.Count, $"{stories.Count} story cards");
        Assert.Equal(stories.Select(s => (string)s["title"]!), CardTitles());
        // Every bar is a loaded image (an <img> of GET /v1/stories/{id}/coverage.svg), not a broken one.
        browser.WaitUntil(() => (bool)browser.Script("return [...document.querySelectorAll('img.bias-bar')].every(i => i.complete && i.naturalWidth > 0)")!,
            "every bar image to load");
        var card = Cards().Single(c => c.Text.Contains(DemoStoryTitle, StringComparison.Ordinal));
        Assert.Equal("55% of the sources lean Left", card.FindElement(By.CssSelector(".story-label")).Text);
        Assert.Contains("23 sources · 50 articles", card.Text);
        Assert.Contains("Left 11 · Center 5 · Right 4 · unrated 3", card.Text);
        Assert.Equal("Blindspot for the Right: the Right barely covers this", card.FindElement(By.CssSelector(".blindspot")).Text);
        Assert.Contains("/coverage.svg?width=320", card.FindElement(By.CssSelector("img.bias-bar")).GetAttribute("src"));

        Assert.Empty(browser.TakeErrors());
        browser.SaveScreenshot("list-desktop", Browser.Desktop);
    }

    [BrowserFact]
    public void TheBrowserLogReportsWhatThePolicyRefuses()
    {
        // The no-error checks are no formality: an inline script and an inline style, added to the page, are refused
        // by its Content-Security-Policy, and the refusals are in the browser's log.
        browser.Open("#/");
        browser.Script("""
            const script = document.createElement('script');
            script.textContent = 'document.body.dataset.inline = "ran"';
            document.body.append(script);
            const style = document.createElement('style');
            style.textContent = 'body { background: red; }';
            document.head.append(style);
            """);

        var errors = new List<string>();
        browser.WaitUntil(() => { errors.AddRange(browser.TakeErrors()); return errors.Count >= 2; }, "the refusals in the log");
        Assert.Contains(errors, e => e.Contains("Content Security Policy", StringComparison.Ordinal) && e.Contains("script", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Content Security Policy", StringComparison.Ordinal) && e.Contains("style", StringComparison.Ordinal));
        Assert.Null(browser.Script("return document.body.dataset.inline"));
        Assert.Equal("rgb(255, 255, 255)", browser.Script("return getComputedStyle(document.body).backgroundColor"));
    }

    [BrowserFact]
    public async Task FiltersNarrowTheListAsTheApiDoes()
    {
        browser.Open("#/");
        var all = (await browser.GetAllAsync("/v1/stories?limit=200")).Count;
        browser.WaitUntil(() => Cards().Count == all, $"{all} story cards");

        browser.Driver.FindElement(By.CssSelector("#filter-blindspot option[value='right']")).Click();
        browser.Driver.FindElement(By.Id("filter-submit")).Click();
        var expected = (await browser.GetAllAsync("/v1/stories?blindspot=right&limit=200")).Select(s => (string)s["title"]!).ToList();
        Assert.InRange(expected.Count, 1, all - 1);
        browser.WaitUntil(() => Cards().Count == expected.Count, $"{expected.Count} blindspot stories");
        Assert.Equal(expected, CardTitles());
        Assert.Contains("blindspot=right", browser.Driver.Url);

        var search = browser.Driver.FindElement(By.Id("filter-q"));
        search.SendKeys("kremlin" + Keys.Enter);
        browser.WaitUntil(() => Cards().Count == 1, "one story for 'kremlin'");
        Assert.Equal([DemoStoryTitle], CardTitles());

        browser.Driver.FindElement(By.CssSelector("#filter-minSources")).SendKeys("24");
        browser.Driver.FindElement(By.Id("filter-submit")).Click();
        browser.WaitUntil(() => browser.Driver.FindElement(By.Id("story-count")).Text == "No story matches these filters.", "no story with 24 sources");
        Assert.Empty(Cards());

        browser.Driver.FindElement(By.Id("filter-clear")).Click();
        browser.WaitUntil(() => Cards().Count == all && !browser.Driver.Url.Contains('?'), "the whole list again");
        Assert.Empty(browser.TakeErrors());
    }

    [BrowserFact]
    public void AnInvalidFilterIsExplainedWithTheProblemsFieldErrors()
    {
        browser.Open("#/?minSources=-1");

        var alert = browser.WaitFor(".results .error");
        Assert.False(string.IsNullOrWhiteSpace(alert.Text));
        Assert.Contains("minSources", browser.WaitFor(".results .error-list").Text);
        Assert.Empty(Cards());
        // The API's 400 is the only error the browser reports.
        Assert.All(browser.TakeErrors(), e => Assert.Contains("400", e));
    }

    [BrowserFact]
    public void TheKeyboardAloneReachesAStoryWithVisibleFocus()
    {
        browser.Open("#/");
        browser.WaitUntil(() => Cards().Count > 0, "story cards");
        var body = browser.Driver.FindElement(By.TagName("body"));

        body.SendKeys(Keys.Tab);
        var skip = browser.Driver.SwitchTo().ActiveElement();
        Assert.Equal("Skip to content", skip.Text);
        Assert.NotEqual("none", skip.GetCssValue("outline-style"));

        IWebElement? link = null;
        for (var i = 0; i < 60 && link is null; i++)
        {
            browser.Driver.SwitchTo().ActiveElement().SendKeys(Keys.Tab);
            var focused = browser.Driver.SwitchTo().ActiveElement();
            Assert.NotEqual("none", focused.GetCssValue("outline-style"));
            if (focused.TagName == "a" && focused.Text == DemoStoryTitle)
            {
                link = focused;
            }
        }

        Assert.NotNull(link);
        link.SendKeys(Keys.Enter);
        browser.WaitUntil(() => browser.Driver.SwitchTo().ActiveElement().TagName == "h1", "focus on the story page's heading");
        Assert.Equal(DemoStoryTitle, browser.Driver.SwitchTo().ActiveElement().Text);
        Assert.Matches(@"#/stories/\d+$", browser.Driver.Url);
    }

    [BrowserFact]
    public void TheListIsReadableAt360PixelsWide()
    {
        browser.Open("#/", Browser.Phone);
        browser.WaitUntil(() => Cards().Count > 0, "story cards");

        Assert.Equal(360L, browser.Script("return window.innerWidth"));
        Assert.True((bool)browser.Script("return document.documentElement.scrollWidth <= window.innerWidth")!, "the list scrolls sideways at 360 px");
        foreach (var image in browser.Driver.FindElements(By.CssSelector("img.bias-bar")))
        {
            Assert.InRange(image.Size.Width, 100, 336);
        }

        Assert.Empty(browser.TakeErrors());
        browser.SaveScreenshot("list-360", Browser.Phone);
    }
}
