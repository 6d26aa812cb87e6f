using NewsLens.Api.Ratings;

namespace NewsLens.Api.Coverage;

/// <summary>Counts of rated units per lean.</summary>
public readonly record struct LeanCounts(int Left, int Center, int Right)
{
    public int Rated => Left + Center + Right;

    public int this[Lean lean] => lean switch
    {
        Lean.Left => Left,
        Lean.Center => Center,
        _ => Right,
    };
}

/// <summary>Whole-number percentages for left, center and right; all null when nothing is rated.</summary>
public readonly record struct LeanPercents(int? Left, int? Center, int? Right);

/// <summary>A 95% interval of a share, in whole percents: <c>Low</c> rounded down, <c>High</c> rounded up.</summary>
public readonly record struct PercentInterval(int Low, int High);

/// <summary>Thresholds of the blindspot rule (configuration section <c>Coverage:Blindspot</c>).</summary>
public sealed class BlindspotOptions
{
    /// <summary>Fewest rated units before a story can be a blindspot.</summary>
    public int MinRated { get; set; } = 5;

    /// <summary>The side that barely covers the story has at most this share of rated units.</summary>
    public int MaxNeglectingPercent { get; set; } = 20;

    /// <summary>The other side has at least this share of rated units.</summary>
    public int MinDominantPercent { get; set; } = 50;
}

/// <summary>
/// The published rules that turn lean counts into percentages, a majority, a label and a blindspot.
/// Pure: no I/O, so every rule is tested directly.
/// </summary>
public static class BiasDistributionRule
{
    // Tie order for leftover points after remainder and count: center, then left, then right.
    private static readonly Lean[] TieOrder = [Lean.Center, Lean.Left, Lean.Right];

    /// <summary>
    /// Largest-remainder percentages over the rated units that sum to exactly 100, each within one point of
    /// the exact share. Leftover points go to the largest remainders; ties go to the larger count, then to
    /// center, left, right. Equal left and right counts always get equal percentages: one leftover point goes
    /// to center, two go one each to left and right.
    /// </summary>
    public static LeanPercents Percentages(LeanCounts counts)
    {
        var rated = counts.Rated;
        if (rated == 0)
        {
            return new LeanPercents(null, null, null);
        }

        Span<int> percent = [100 * counts.Left / rated, 100 * counts.Center / rated, 100 * counts.Right / rated];
        var leftover = 100 - (percent[0] + percent[1] + percent[2]);

        if (counts.Left == counts.Right)
        {
            // Floors of left and right are equal, so the leftover is 0, 1 or 2 and is placed symmetrically.
            if (leftover == 1)
            {
                percent[1]++;
            }
            else if (leftover == 2)
            {
                percent[0]++;
                percent[2]++;
            }

            return new LeanPercents(percent[0], percent[1], percent[2]);
        }

        var order = TieOrder
            .OrderByDescending(lean => 100 * counts[lean] % rated)
            .ThenByDescending(lean => counts[lean])
            .ThenBy(lean => Array.IndexOf(TieOrder, lean))
            .Take(leftover);
        foreach (var lean in order)
        {
            percent[(int)lean]++;
        }

        return new LeanPercents(percent[0], percent[1], percent[2]);
    }

    /// <summary>The lean with the strictly largest count; null on a tie at the top or when nothing is rated.</summary>
    public static Lean? Majority(LeanCounts counts)
    {
        if (counts.Rated == 0)
        {
            return null;
        }

        var top = Math.Max(counts.Left, Math.Max(counts.Center, counts.Right));
        var leaders = Enum.GetValues<Lean>().Where(lean => counts[lean] == top).ToArray();
        return leaders.Length == 1 ? leaders[0] : null;
    }

    /// <summary>"55% of the sources lean Left", "No majority lean", "No rated articles", ...</summary>
    public static string Label(CoverageBasis basis, LeanCounts counts, LeanPercents percents)
    {
        var units = basis == CoverageBasis.Sources ? "sources" : "articles";
        if (counts.Rated == 0)
        {
            return $"No rated {units}";
        }

        return Majority(counts) switch
        {
            Lean.Left => $"{percents.Left}% of the {units} lean Left",
            Lean.Right => $"{percents.Right}% of the {units} lean Right",
            Lean.Center => $"{percents.Center}% of the {units} are Center",
            _ => "No majority lean",
        };
    }

    /// <summary>
    /// "left" when at least <see cref="BlindspotOptions.MinRated"/> units are rated, left has at most
    /// <see cref="BlindspotOptions.MaxNeglectingPercent"/>% and right at least
    /// <see cref="BlindspotOptions.MinDominantPercent"/>% of them (the Left barely covers the story);
    /// "right" the other way round. Compared on exact counts, not rounded percentages.
    /// </summary>
    /// <summary>z of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>
    /// The 95% Wilson score interval of the share <paramref name="count"/> / <paramref name="rated"/>, in whole
    /// percents, low rounded down and high rounded up (so it always holds the true interval); null when nothing is
    /// rated. 2 of 3 → 20–94; 11 of 20 → 34–75. Unlike ±1.96·√(p(1−p)/n) it stays within 0–100 and is not empty at 0
    /// or n, which is what small samples need.
    /// </summary>
    public static PercentInterval? WilsonInterval(int count, int rated)
    {
        if (rated <= 0)
        {
            return null;
        }

        double n = rated, p = (double)count / rated, z2 = Z95 * Z95;
        var center = (p + z2 / (2 * n)) / (1 + z2 / n);
        var margin = Z95 / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // Rounded to 1e-9 first, so that 0 and 100, which floating point may miss by an ulp, stay themselves.
        int Percent(double share, Func<double, double> direction) =>
            (int)Math.Clamp(direction(Math.Round(share * 100, 9)), 0, 100);
        return new PercentInterval(Percent(center - margin, Math.Floor), Percent(center + margin, Math.Ceiling));
    }

    public static BlindspotSide? Blindspot(LeanCounts counts, BlindspotOptions options)
    {
        var rated = counts.Rated;
        if (rated == 0 || rated < options.MinRated)
        {
            return null;
        }

        bool Neglects(int side, int other) =>
            (long)side * 100 <= (long)options.MaxNeglectingPercent * rated &&
            (long)other * 100 >= (long)options.MinDominantPercent * rated;

        return Neglects(counts.Left, counts.Right) ? BlindspotSide.Left
            : Neglects(counts.Right, counts.Left) ? BlindspotSide.Right
            : null;
    }
}

public enum CoverageBasis
{
    Sources,
    Articles,
}

/// <summary>The side whose outlets barely cover a story.</summary>
public enum BlindspotSide
{
    Left,
    Right,
}
