using System.Globalization;
using System.Xml.Linq;
using CsCheck;
using NewsLens.Api.Coverage;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Tests.Coverage;

public class BiasBarSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static BiasBar Bar(int left, int center, int right, int unrated = 0, CoverageBasis basis = CoverageBasis.Sources)
    {
        var counts = new LeanCounts(left, center, right);
        var percents = BiasDistributionRule.Percentages(counts);
        return new BiasBar(basis, counts, percents, unrated, BiasDistributionRule.Label(basis, counts, percents));
    }

    [Theory]
    [InlineData(320, "0", "176", "176", "80", "256", "64")]
    [InlineData(120, "0", "66", "66", "30", "96", "24")]
    [InlineData(333, "0", "183.15", "183.15", "83.25", "266.4", "66.6")]
    [InlineData(1200, "0", "660", "660", "300", "960", "240")]
    public void TheDemoStorys55_25_20SplitsTheBarExactly(int width, string leftX, string leftWidth, string centerX, string centerWidth, string rightX, string rightWidth)
    {
        var segments = BiasBarSvg.Segments(new LeanPercents(55, 25, 20), width);

        Assert.Equal([Lean.Left, Lean.Center, Lean.Right], segments.Select(s => s.Lean));
        Assert.Equal(
            new[] { leftX, leftWidth, centerX, centerWidth, rightX, rightWidth }.Select(v => decimal.Parse(v, CultureInfo.InvariantCulture)),
            segments.SelectMany(s => new[] { s.X, s.Width }));
        Assert.Equal(width, segments.Sum(s => s.Width));
    }

    [Fact]
    public void AZeroPercentSegmentIsAbsentAndTheOthersMeet()
    {
        var segments = BiasBarSvg.Segments(new LeanPercents(33, 0, 67), 300);

        Assert.Equal([Lean.Left, Lean.Right], segments.Select(s => s.Lean));
        Assert.Equal((0m, 99m), (segments[0].X, segments[0].Width));
        Assert.Equal((99m, 201m), (segments[1].X, segments[1].Width));

        var one = Assert.Single(BiasBarSvg.Segments(new LeanPercents(0, 100, 0), 250));
        Assert.Equal((Lean.Center, 0m, 250m, 100), (one.Lean, one.X, one.Width, one.Percent));
        Assert.Empty(BiasBarSvg.Segments(new LeanPercents(null, null, null), 250));
    }

    [Fact]
    public void SegmentsTileTheBarForEveryCountAndWidth()
    {
        Gen.Select(Gen.Int[0, 60], Gen.Int[0, 60], Gen.Int[0, 60], Gen.Int[BiasBarSvg.MinWidth, BiasBarSvg.MaxWidth])
            .Where((l, c, r, _) => l + c + r > 0)
            .Sample((l, c, r, width) =>
            {
                var percents = BiasDistributionRule.Percentages(new LeanCounts(l, c, r));
                var segments = BiasBarSvg.Segments(percents, width);
                var expected = new[] { (Lean.Left, percents.Left!.Value), (Lean.Center, percents.Center!.Value), (Lean.Right, percents.Right!.Value) }
                    .Where(p => p.Item2 > 0).ToArray();
                Assert.Equal(expected.Select(p => p.Item1), segments.Select(s => s.Lean));
                Assert.Equal(width, segments.Sum(s => s.Width));
                var x = 0m;
                foreach (var segment in segments)
                {
                    Assert.Equal(x, segment.X);
                    Assert.Equal((decimal)width * segment.Percent / 100, segment.Width);
                    Assert.Equal(segment.Width, decimal.Round(segment.Width, 2));
                    x += segment.Width;
                }
            }, iter: 2000);
    }

    [Fact]
    public void TheDrawnRectanglesAreTheSegments()
    {
        var svg = BiasBarSvg.Draw(Bar(11, 5, 4, unrated: 3), 320, BarTheme.Light);

        var rects = svg.Elements(Svg + "rect").Where(r => r.Attribute("data-lean") is not null)
            .Select(r => ((string)r.Attribute("data-lean")!, (string)r.Attribute("x")!, (string)r.Attribute("width")!, (string)r.Attribute("fill")!));
        Assert.Equal([("left", "0", "176", "#1D4ED8"), ("center", "176", "80", "#E5E7EB"), ("right", "256", "64", "#B91C1C")], rects);
        Assert.Equal(["55%", "25%", "20%"], svg.Elements(Svg + "text").Select(t => t.Value).Take(3));
        Assert.Equal("55% of the sources lean Left", svg.Elements(Svg + "text").Last().Value);
    }

    [Fact]
    public void APercentIsWrittenOnlyWhereItFits()
    {
        // 120 px: 2% is 2.4 px wide, 49% is 58.8 px.
        var svg = BiasBarSvg.Draw(Bar(49, 2, 49), 120, BarTheme.Light);

        Assert.Equal(["49%", "49%"], svg.Elements(Svg + "text").SkipLast(1).Select(t => t.Value));
        Assert.False(BiasBarSvg.PercentFits(2, 2.4m));
        Assert.True(BiasBarSvg.PercentFits(100, 120m));
    }

    [Fact]
    public void NothingRatedIsAGreyBarReadingNoRatedSources()
    {
        foreach (var theme in Enum.GetValues<BarTheme>())
        {
            var svg = BiasBarSvg.Draw(Bar(0, 0, 0, unrated: 2), 200, theme);

            var bar = svg.Elements(Svg + "rect").ElementAt(1);
            Assert.Equal((BarPalette.Of(theme).NoRating.Fill, "200"), ((string)bar.Attribute("fill")!, (string)bar.Attribute("width")!));
            Assert.DoesNotContain(svg.Elements(Svg + "rect"), r => r.Attribute("data-lean") is not null);
            var text = Assert.Single(svg.Elements(Svg + "text"));
            Assert.Equal(("No rated sources", BarPalette.Of(theme).NoRating.Text), (text.Value, (string)text.Attribute("fill")!));
            Assert.True(decimal.Parse((string)text.Attribute("y")!, CultureInfo.InvariantCulture) < BiasBarSvg.BarHeight, "written in the bar");
            Assert.Equal("No rated sources", svg.Element(Svg + "title")!.Value);
        }
    }

    [Fact]
    public void TheImageIsAccessibleAndSelfContained()
    {
        var text = BiasBarSvg.Render(Bar(11, 5, 4, unrated: 3), 320, BarTheme.Dark);
        var svg = XElement.Parse(text);

        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal("img", (string?)svg.Attribute("role"));
        Assert.Equal("55% of the sources lean Left", svg.Element(Svg + "title")!.Value);
        Assert.Equal("Left 11, Center 5, Right 4 rated sources; 3 unrated.", svg.Element(Svg + "desc")!.Value);
        Assert.Equal("55% of the sources lean Left. Left 11, Center 5, Right 4 rated sources; 3 unrated.", (string?)svg.Attribute("aria-label"));
        Assert.Equal(("320", "52", "0 0 320 52"), ((string?)svg.Attribute("width"), (string?)svg.Attribute("height"), (string?)svg.Attribute("viewBox")));
        // Nothing to run, load or style: the namespace is the only URL, and colours are attributes.
        Assert.DoesNotContain(svg.DescendantsAndSelf(), e => e.Name.LocalName is "script" or "style" or "image" or "use" or "a" or "foreignObject");
        Assert.DoesNotContain(svg.DescendantsAndSelf().Attributes(),
            a => a.Name.LocalName is "href" or "style" || a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
        Assert.DoesNotContain("url(", text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "https?:"));
    }

    [Fact]
    public void EveryTextIsEscaped()
    {
        var hostile = new BiasBar(CoverageBasis.Articles, new LeanCounts(1, 0, 0), new LeanPercents(100, 0, 0), 0, "</text><script>alert(1)</script> & \"q\" 'a'");

        var text = BiasBarSvg.Render(hostile, 400, BarTheme.Light);

        Assert.DoesNotContain("<script", text);
        Assert.Contains("&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp;", text);
        var svg = XElement.Parse(text);
        Assert.Equal(hostile.Label, svg.Element(Svg + "title")!.Value);
        Assert.StartsWith(hostile.Label, (string?)svg.Attribute("aria-label"));
    }

    [Theory]
    [InlineData(119)]
    [InlineData(1201)]
    public void AWidthOutside120To1200IsRefused(int width) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BiasBarSvg.Draw(Bar(1, 1, 1), width, BarTheme.Light));

    [Fact]
    public void ALongLabelShrinksToTheNarrowestBar()
    {
        var svg = BiasBarSvg.Draw(Bar(11, 5, 4), 120, BarTheme.Light);
        var label = svg.Elements(Svg + "text").Last();

        Assert.Equal("9", (string?)label.Attribute("font-size"));
        Assert.Equal(("112", "spacingAndGlyphs"), ((string?)label.Attribute("textLength"), (string?)label.Attribute("lengthAdjust")));
        var wide = BiasBarSvg.Draw(Bar(11, 5, 4), 600, BarTheme.Light).Elements(Svg + "text").Last();
        Assert.Equal("13", (string?)wide.Attribute("font-size"));
        Assert.Null(wide.Attribute("textLength"));
    }

    public static TheoryData<string, string, string> TextOnFill() => new()
    {
        { "light page", BarPalette.Light.Page.Text, BarPalette.Light.Page.Fill },
        { "light left", BarPalette.Light.Left.Text, BarPalette.Light.Left.Fill },
        { "light center", BarPalette.Light.Center.Text, BarPalette.Light.Center.Fill },
        { "light right", BarPalette.Light.Right.Text, BarPalette.Light.Right.Fill },
        { "light no rating", BarPalette.Light.NoRating.Text, BarPalette.Light.NoRating.Fill },
        { "dark page", BarPalette.Dark.Page.Text, BarPalette.Dark.Page.Fill },
        { "dark left", BarPalette.Dark.Left.Text, BarPalette.Dark.Left.Fill },
        { "dark center", BarPalette.Dark.Center.Text, BarPalette.Dark.Center.Fill },
        { "dark right", BarPalette.Dark.Right.Text, BarPalette.Dark.Right.Fill },
        { "dark no rating", BarPalette.Dark.NoRating.Text, BarPalette.Dark.NoRating.Fill },
    };

    [Theory]
    [MemberData(nameof(TextOnFill))]
    public void EveryTextHasAContrastOfAtLeast4_5To1(string where, string text, string fill) =>
        Assert.True(ContrastRatio(text, fill) >= 4.5, $"{where}: {text} on {fill} is {ContrastRatio(text, fill):0.00}:1");

    [Theory]
    [InlineData("light", 3.0)]
    [InlineData("dark", 3.0)]
    public void TheOutlineStandsOutFromThePage(string theme, double minimum)
    {
        var palette = theme == "dark" ? BarPalette.Dark : BarPalette.Light;
        Assert.True(ContrastRatio(palette.Outline, palette.Page.Fill) >= minimum);
    }

    [Theory]
    [InlineData("#FFFFFF", "#000000", 21.0)]
    [InlineData("#777777", "#FFFFFF", 4.48)]
    [InlineData("#1D4ED8", "#FFFFFF", 6.70)]
    [InlineData("#60A5FA", "#111827", 6.98)]
    public void TheContrastFormulaIsWcags(string a, string b, double expected) => Assert.Equal(expected, ContrastRatio(a, b), 2);

    /// <summary>WCAG 2.x: (L1 + 0.05) / (L2 + 0.05) of the relative luminances, lighter over darker.</summary>
    private static double ContrastRatio(string a, string b)
    {
        var (la, lb) = (Luminance(a), Luminance(b));
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string hex)
    {
        double Channel(int offset)
        {
            var c = int.Parse(hex.AsSpan(1 + offset, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return 0.2126 * Channel(0) + 0.7152 * Channel(2) + 0.0722 * Channel(4);
    }
}
