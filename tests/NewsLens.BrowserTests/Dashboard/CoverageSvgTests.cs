using System.Globalization;
using System.Text.Json.Nodes;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace NewsLens.BrowserTests.Dashboard;

/// <summary>The bias bar the dashboard shows: an &lt;img&gt; of GET /v1/stories/{id}/coverage.svg.</summary>
[Collection(BrowserCollection.Name)]
public class CoverageSvgTests(Browser browser, ITestOutputHelper output)
{
    private const string DemoBar = ".story-card img.bias-bar[alt='Bias bar: Left 55%, Center 25%, Right 20%']";

    private static readonly Dictionary<string, (byte R, byte G, byte B)> LightColours = new()
    {
        ["left"] = (0x1D, 0x4E, 0xD8), ["center"] = (0xE5, 0xE7, 0xEB), ["right"] = (0xB9, 0x1C, 0x1C),
    };

    private IWebElement DemoBarImage()
    {
        browser.Open("#/");
        var image = browser.WaitFor(DemoBar);
        browser.WaitUntil(() => (bool)browser.Script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)!, "the demo story's bar to load");
        return image;
    }

    [BrowserFact]
    public void TheDemoStorysBarIsSegments55_25_20OfItsWidth()
    {
        var image = DemoBarImage();

        // The document the <img> shows, parsed: the bar's width and each lean's rectangle.
        var geometry = JsonNode.Parse((string)browser.Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0].src).then(r => r.text()).then(text => {
              const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
              done(JSON.stringify({
                width: Number(svg.getAttribute('width')),
                title: svg.querySelector('title').textContent,
                segments: [...svg.querySelectorAll('rect[data-lean]')].map(r => ({
                  lean: r.getAttribute('data-lean'), x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')), fill: r.getAttribute('fill') })),
              }));
            });
            """, image)!)!;
        var width = (double)geometry["width"]!;
        Assert.Equal(320, width);
        Assert.Equal(320L, browser.Script("return arguments[0].naturalWidth", image));
        Assert.Equal("55% of the sources lean Left", (string?)geometry["title"]);
        var segments = geometry["segments"]!.AsArray().Select(s => ((string)s!["lean"]!, (double)s["x"]!, (double)s["width"]!)).ToList();
        Assert.Equal(["left", "center", "right"], segments.Select(s => s.Item1));
        Assert.Equal([0.55, 0.25, 0.20], segments.Select(s => Math.Round(s.Item3 / width, 4)));
        Assert.Equal(0, segments[0].Item2);
        Assert.Equal(segments[0].Item3, segments[1].Item2);
        Assert.Equal(segments[1].Item2 + segments[1].Item3, segments[2].Item2);
        Assert.Equal(width, segments[2].Item2 + segments[2].Item3);

        // What the browser drew: along a row above the percents, each lean's colour covers its share of the pixels.
        var row = ((IEnumerable<object>)browser.Script("""
            const image = arguments[0];
            const canvas = document.createElement('canvas');
            canvas.width = image.naturalWidth;
            canvas.height = image.naturalHeight;
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            const data = context.getImageData(0, 4, canvas.width, 1).data;
            const pixels = [];
            for (let i = 0; i < data.length; i += 4) pixels.push([data[i], data[i + 1], data[i + 2]]);
            return pixels;
            """, image)!).Select(p => ((IEnumerable<object>)p).Select(Convert.ToInt32).ToArray()).ToList();
        Assert.Equal(320, row.Count);
        foreach (var (lean, share) in new[] { ("left", 0.55), ("center", 0.25), ("right", 0.20) })
        {
            var colour = LightColours[lean];
            var pixels = row.Count(p => Near(p, colour));
            // The bar's 1 px outline covers the first and last pixel.
            Assert.InRange(pixels, share * width - 2, share * width);
        }
    }

    [BrowserFact]
    public void TheBarLooksTheSameInAnImgAsOpenedDirectly()
    {
        var src = DemoBarImage().GetAttribute("src")!;
        browser.Script("""
            const image = new Image();
            image.id = 'svg-probe';
            image.alt = '';
            image.src = arguments[0];
            image.style.position = 'fixed';
            image.style.left = '0';
            image.style.top = '0';
            image.style.zIndex = '10';
            document.body.append(image);
            """, src);
        var probe = browser.WaitUntil(() => browser.Driver.FindElements(By.Id("svg-probe"))
            .FirstOrDefault(e => (bool)browser.Script("return arguments[0].complete && arguments[0].naturalWidth > 0", e)!), "the probe image to load");
        var inImg = PngImage.Decode(((ITakesScreenshot)probe).GetScreenshot().AsByteArray);

        browser.Driver.Navigate().GoToUrl(src);
        var root = browser.WaitUntil(() => browser.Driver.FindElements(By.CssSelector("svg")).FirstOrDefault(), "the SVG document");
        var direct = PngImage.Decode(((ITakesScreenshot)root).GetScreenshot().AsByteArray);

        Assert.Equal((320, 52), (inImg.Width, inImg.Height));
        Assert.Equal((direct.Width, direct.Height), (inImg.Width, inImg.Height));
        var differing = 0;
        for (var y = 0; y < direct.Height; y++)
        {
            for (var x = 0; x < direct.Width; x++)
            {
                var (a, b) = (inImg[x, y], direct[x, y]);
                if (Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B))) > 32)
                {
                    differing++;
                }
            }
        }

        // Not two blank pictures: the segments' middles are the leans' colours in both.
        foreach (var (lean, x) in new[] { ("left", 40), ("center", 180), ("right", 316) })
        {
            Assert.True(Near(inImg[x, 4], LightColours[lean]), $"{lean} at x={x} in the <img>: {inImg[x, 4]}");
            Assert.True(Near(direct[x, 4], LightColours[lean]), $"{lean} at x={x} opened directly: {direct[x, 4]}");
        }

        output.WriteLine($"{differing} of {direct.Width * direct.Height} pixels differ by more than 32 in a channel");
        Assert.True(differing <= direct.Width * direct.Height / 200, $"{differing} of {direct.Width * direct.Height} pixels differ");
    }

    private static bool Near(int[] pixel, (byte R, byte G, byte B) colour) => Near((pixel[0], pixel[1], pixel[2]), colour);

    private static bool Near((int R, int G, int B) pixel, (byte R, byte G, byte B) colour) =>
        Math.Abs(pixel.R - colour.R) <= 3 && Math.Abs(pixel.G - colour.G) <= 3 && Math.Abs(pixel.B - colour.B) <= 3;

    [BrowserFact]
    public async Task TheStoryPageBarIsDrawnForItsWidth()
    {
        var found = await browser.GetJsonAsync("/v1/stories?q=kremlin%20ukraine");
        var id = (long)found["items"]!.AsArray().Single()!["id"]!;
        browser.Open($"#/stories/{id}");

        var bar = browser.WaitFor("#story-bar");
        browser.WaitUntil(() => (bool)browser.Script("return arguments[0].complete && arguments[0].naturalWidth > 0", bar)!, "the story's bar to load");
        var src = new Uri(bar.GetAttribute("src")!);
        var width = int.Parse(System.Web.HttpUtility.ParseQueryString(src.Query)["width"]!, CultureInfo.InvariantCulture);
        Assert.InRange(width, 320, 1200);
        Assert.Equal((long)width, browser.Script("return arguments[0].naturalWidth", bar));
        Assert.Equal(width, bar.Size.Width);
        Assert.Empty(browser.TakeErrors());
    }
}
