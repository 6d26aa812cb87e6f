using System.Globalization;
using System.Xml.Linq;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>The colour scheme of the SVG bias bar.</summary>
public enum BarTheme
{
    Light,
    Dark,
}

/// <summary>A fill and the colour of text written on it.</summary>
public readonly record struct Swatch(string Fill, string Text);

/// <summary>Every colour of one theme (hex sRGB); the contrast of each text on its fill is at least 4.5:1 (WCAG 2.x AA).</summary>
public sealed record BarPalette(Swatch Page, Swatch Left, Swatch Center, Swatch Right, Swatch NoRating, string Outline)
{
    public static readonly BarPalette Light = new(
        Page: new("#FFFFFF", "#1F2937"), Left: new("#1D4ED8", "#FFFFFF"), Center: new("#E5E7EB", "#111827"),
        Right: new("#B91C1C", "#FFFFFF"), NoRating: new("#D1D5DB", "#111827"), Outline: "#6B7280");

    public static readonly BarPalette Dark = new(
        Page: new("#111827", "#F3F4F6"), Left: new("#60A5FA", "#111827"), Center: new("#4B5563", "#F9FAFB"),
        Right: new("#F87171", "#111827"), NoRating: new("#374151", "#F9FAFB"), Outline: "#9CA3AF");

    public static BarPalette Of(BarTheme theme) => theme == BarTheme.Dark ? Dark : Light;

    public Swatch this[Lean lean] => lean switch
    {
        Lean.Left => Left,
        Lean.Center => Center,
        _ => Right,
    };
}

/// <summary>One lean's part of the bar: from <see cref="X"/>, <see cref="Width"/> wide, in pixels (exact: hundredths at most).</summary>
public readonly record struct BarSegment(Lean Lean, decimal X, decimal Width, int Percent, bool ShowsPercent);

/// <summary>What the bar shows of a coverage: rated units per lean, their percentages, the unrated units and the label.</summary>
public sealed record BiasBar(CoverageBasis Basis, LeanCounts Counts, LeanPercents Percents, int Unrated, string Label)
{
    public static BiasBar Of(StoryCoverage coverage) => new(
        coverage.Basis,
        new LeanCounts(coverage.Bias.Left.Count, coverage.Bias.Center.Count, coverage.Bias.Right.Count),
        new LeanPercents(coverage.Bias.Left.Percent, coverage.Bias.Center.Percent, coverage.Bias.Right.Percent),
        coverage.Bias.Unrated,
        coverage.Bias.Label);
}

/// <summary>
/// Draws the bias bar as a standalone SVG document: one bar whose left, center and right segments are exactly their
/// percentages of its width, each percent written in its segment where it fits, and the label under it. Built as an
/// XML tree, so every text is escaped by the writer; presentation attributes only (no style, script or reference),
/// so it renders under <c>Content-Security-Policy: default-src 'none'</c>. Pure: no I/O.
/// </summary>
public static class BiasBarSvg
{
    public const int MinWidth = 120;
    public const int MaxWidth = 1200;
    public const int DefaultWidth = 320;

    public const int BarHeight = 28;
    public const int Height = 52;
    public const double PercentFontSize = 13;
    public const double LabelFontSize = 13;

    // Wide enough for the usual sans-serif faces: digits and "%" are about 0.56–0.83 em, average letters about 0.5 em.
    private const double PercentCharEm = 0.62;
    private const double LabelCharEm = 0.55;
    private const double MinLabelFontSize = 9;
    private const double Padding = 4;
    private const string FontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly Lean[] Order = [Lean.Left, Lean.Center, Lean.Right];

    /// <summary>
    /// The segments, left to right, of the leans with a percent above 0: each <c>width × percent / 100</c> wide,
    /// starting where the previous one ends, so they sum to exactly <paramref name="width"/>. None when nothing is rated.
    /// </summary>
    public static IReadOnlyList<BarSegment> Segments(LeanPercents percents, int width)
    {
        if (percents.Left is null || percents.Center is null || percents.Right is null)
        {
            return [];
        }

        var segments = new List<BarSegment>(3);
        var before = 0;
        foreach (var lean in Order)
        {
            var percent = lean switch { Lean.Left => percents.Left.Value, Lean.Center => percents.Center.Value, _ => percents.Right.Value };
            if (percent > 0)
            {
                var x = (decimal)width * before / 100;
                var segmentWidth = (decimal)width * (before + percent) / 100 - x;
                segments.Add(new BarSegment(lean, x, segmentWidth, percent, PercentFits(percent, segmentWidth)));
            }

            before += percent;
        }

        return segments;
    }

    /// <summary>Whether "<paramref name="percent"/>%" fits in a segment of that width with a little room on each side.</summary>
    public static bool PercentFits(int percent, decimal width) =>
        (double)width >= $"{percent}%".Length * PercentCharEm * PercentFontSize + 2 * Padding;

    /// <summary>"Left 11, Center 5, Right 4 rated sources; 3 unrated."</summary>
    public static string Description(BiasBar bar)
    {
        var units = bar.Basis == CoverageBasis.Sources ? "sources" : "articles";
        return $"Left {bar.Counts.Left}, Center {bar.Counts.Center}, Right {bar.Counts.Right} rated {units}; {bar.Unrated} unrated.";
    }

    public static XElement Draw(BiasBar bar, int width, BarTheme theme)
    {
        if (width is < MinWidth or > MaxWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The bar is {MinWidth}–{MaxWidth} px wide.");
        }

        var palette = BarPalette.Of(theme);
        var description = Description(bar);
        var svg = new XElement(Svg + "svg",
            new XAttribute("width", width),
            new XAttribute("height", Height),
            new XAttribute("viewBox", $"0 0 {width} {Height}"),
            new XAttribute("role", "img"),
            new XAttribute("aria-label", $"{bar.Label}. {description}"),
            new XAttribute("font-family", FontFamily),
            new XElement(Svg + "title", bar.Label),
            new XElement(Svg + "desc", description),
            Rect(0, 0, width, Height, palette.Page.Fill));

        var segments = Segments(bar.Percents, width);
        if (segments.Count == 0)
        {
            svg.Add(Rect(0, 0, width, BarHeight, palette.NoRating.Fill));
        }

        foreach (var segment in segments)
        {
            svg.Add(Rect(segment.X, 0, segment.Width, BarHeight, palette[segment.Lean].Fill).SetLean(segment.Lean));
        }

        foreach (var segment in segments.Where(s => s.ShowsPercent))
        {
            svg.Add(Text(segment.X + segment.Width / 2, BarHeight / 2.0 + PercentFontSize * 0.35, PercentFontSize, palette[segment.Lean].Text,
                $"{segment.Percent}%", bold: true));
        }

        svg.Add(new XElement(Svg + "rect",
            new XAttribute("x", 0.5), new XAttribute("y", 0.5), new XAttribute("width", width - 1), new XAttribute("height", BarHeight - 1),
            new XAttribute("fill", "none"), new XAttribute("stroke", palette.Outline), new XAttribute("stroke-width", 1)));

        // Nothing rated: the grey bar itself reads "No rated sources"; else the label goes under the bar.
        var label = segments.Count == 0
            ? Text(width / 2m, BarHeight / 2.0 + LabelFontSize * 0.35, LabelFontSize, palette.NoRating.Text, bar.Label, bold: false)
            : Text(width / 2m, BarHeight + 6 + LabelFontSize, LabelFontSize, palette.Page.Text, bar.Label, bold: false);
        FitLabel(label, bar.Label, width);
        svg.Add(label);
        return svg;
    }

    /// <summary>The SVG document as text (UTF-8, no declaration needed).</summary>
    public static string Render(BiasBar bar, int width, BarTheme theme) => Draw(bar, width, theme).ToString(SaveOptions.DisableFormatting);

    /// <summary>A smaller font where the label would overflow, down to 9 px, then squeezed to the width.</summary>
    private static void FitLabel(XElement label, string text, int width)
    {
        var room = width - 2 * Padding;
        var size = Math.Max(MinLabelFontSize, Math.Min(LabelFontSize, room / (text.Length * LabelCharEm)));
        label.SetAttributeValue("font-size", Number((decimal)Math.Round(size, 1)));
        if (text.Length * LabelCharEm * Math.Round(size, 1) > room)
        {
            label.SetAttributeValue("textLength", Number((decimal)room));
            label.SetAttributeValue("lengthAdjust", "spacingAndGlyphs");
        }
    }

    private static XElement Rect(decimal x, decimal y, decimal width, decimal height, string fill) =>
        new(Svg + "rect",
            new XAttribute("x", Number(x)), new XAttribute("y", Number(y)),
            new XAttribute("width", Number(width)), new XAttribute("height", Number(height)),
            new XAttribute("fill", fill));

    private static XElement Text(decimal x, double y, double size, string fill, string text, bool bold)
    {
        var element = new XElement(Svg + "text",
            new XAttribute("x", Number(x)), new XAttribute("y", Number((decimal)Math.Round(y, 2))),
            new XAttribute("font-size", Number((decimal)size)), new XAttribute("fill", fill),
            new XAttribute("text-anchor", "middle"));
        if (bold)
        {
            element.Add(new XAttribute("font-weight", "bold"));
        }

        element.Add(text);
        return element;
    }

    private static XElement SetLean(this XElement rect, Lean lean)
    {
        rect.Add(new XAttribute("data-lean", EnumText<Lean>.Name(lean)));
        return rect;
    }

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
