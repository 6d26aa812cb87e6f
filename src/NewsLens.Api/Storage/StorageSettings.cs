using Dapper;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Storage;

public sealed class StorageSettings
{
    public const string Section = "Storage";

    /// <summary>
    /// How often <c>PRAGMA quick_check</c> reads the whole database for damage; the first check runs right after
    /// start. Zero switches the check off.
    /// </summary>
    public TimeSpan IntegrityCheckInterval { get; set; } = TimeSpan.FromHours(24);
}
