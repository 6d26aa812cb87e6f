namespace NewsLens.Api.Tests.TestSupport;

/// <summary>The API with rate limiting on: three tokens a bucket, one more every ten minutes, and a second key.</summary>
public sealed class RateLimitedFactory : NewsLensFactory
{
    public const string OtherKey = "other-key-zyxwvutsrqponm";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimiting:Enabled", "true"),
        new("RateLimiting:TokenLimit", "3"),
        new("RateLimiting:TokensPerPeriod", "1"),
        new("RateLimiting:ReplenishmentPeriod", "00:10:00"),
        new("Auth:Keys:1:Name", "other"),
        new("Auth:Keys:1:Sha256", ApiKeys.Hash(OtherKey)),
    ];
}
