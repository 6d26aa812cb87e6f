namespace NewsLens.Api.Tests.TestSupport;

/// <summary>The API, with its logs captured, on a database file that outlives it when asked (<see cref="NewsLensFactory.KeepDatabaseFile"/>).</summary>
public sealed class FileFactory(string databasePath, params (string Key, string? Value)[] settings) : LoggedFactory(databasePath, settings);
