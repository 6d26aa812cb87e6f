using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Imports;

public static class ImportSetup
{
    public static IServiceCollection AddImports(this IServiceCollection services)
    {
        services.AddOptions<ImportSettings>().BindConfiguration(ImportSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}

public sealed class ImportSettings
{
    public const string Section = "Imports";

    /// <summary>The largest body a bulk import accepts; other endpoints take at most 1 MiB.</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// The longest row (an NDJSON line, a CSV record, a JSON array element) an import reads; a longer one is a bad
    /// row, skipped while it streams in without being held in memory.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 16 * 1024 * 1024)]
    public int MaxRowBytes { get; set; } = 64 * 1024;

    /// <summary>Where an import larger than one window keeps its checked rows until it writes them; the system's temporary folder when empty.</summary>
    public string? SpoolDirectory { get; set; }
}
