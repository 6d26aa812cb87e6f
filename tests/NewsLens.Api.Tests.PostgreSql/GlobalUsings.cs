// This assembly runs the shared suite on PostgreSQL. A using alias wins over the types of an imported namespace
// (Xunit), so every [Fact], [Theory] and [SkippableFact] of the shared sources becomes engine-aware here: skipped,
// with the reason, when PostgreSQL is not installed.
global using FactAttribute = NewsLens.Api.Tests.TestSupport.EngineFactAttribute;
global using SkippableFactAttribute = NewsLens.Api.Tests.TestSupport.EngineSkippableFactAttribute;
global using SkippableTheoryAttribute = NewsLens.Api.Tests.TestSupport.EngineSkippableTheoryAttribute;
global using TheoryAttribute = NewsLens.Api.Tests.TestSupport.EngineTheoryAttribute;

[assembly: NewsLens.Api.Tests.TestSupport.TestEngine(NewsLens.Api.Storage.StorageEngine.PostgreSql)]
[assembly: Xunit.TestFramework("NewsLens.Api.Tests.TestSupport.PostgreSqlTestFramework", "NewsLens.Api.Tests.PostgreSql")]
