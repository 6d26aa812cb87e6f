namespace NewsLens.Api.Ratings;

/// <summary>An outlet's 7-point bias rating.</summary>
public enum Bias
{
    FarLeft,
    Left,
    LeanLeft,
    Center,
    LeanRight,
    Right,
    FarRight,
}

/// <summary>The 3 buckets the bias distribution is reported in.</summary>
public enum Lean
{
    Left,
    Center,
    Right,
}

public enum Factuality
{
    VeryHigh,
    High,
    MostlyFactual,
    Mixed,
    Low,
    VeryLow,
}

public enum Ownership
{
    Independent,
    MediaConglomerate,
    Billionaire,
    PrivateEquity,
    Government,
    Corporation,
    Telecom,
    Other,
}

public static class BiasExtensions
{
    public static Lean ToLean(this Bias bias) => bias switch
    {
        Bias.FarLeft or Bias.Left or Bias.LeanLeft => Lean.Left,
        Bias.Center => Lean.Center,
        _ => Lean.Right,
    };
}
