namespace NewsLens.Api.Tests.TestSupport;

// What [Fact], [Theory], [SkippableFact] and [SkippableTheory] mean in the PostgreSQL test assembly (its global
// using aliases): skipped, with the reason, when the run's engine is not installed. Skip is read at discovery.

public sealed class EngineFactAttribute : Xunit.FactAttribute
{
    public EngineFactAttribute() => Skip = TestEngine.Unavailable;
}

public sealed class EngineTheoryAttribute : Xunit.TheoryAttribute
{
    public EngineTheoryAttribute() => Skip = TestEngine.Unavailable;
}

public sealed class EngineSkippableFactAttribute : Xunit.SkippableFactAttribute
{
    public EngineSkippableFactAttribute(params Type[] skippingExceptions)
        : base(skippingExceptions) => Skip = TestEngine.Unavailable;
}

public sealed class EngineSkippableTheoryAttribute : Xunit.SkippableTheoryAttribute
{
    public EngineSkippableTheoryAttribute(params Type[] skippingExceptions)
        : base(skippingExceptions) => Skip = TestEngine.Unavailable;
}
