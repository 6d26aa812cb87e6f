using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Imports;

/// <summary>What an import did (or, with <c>dryRun</c>, would do).</summary>
public sealed record ImportResult(int Created, int Updated, int Unchanged, bool DryRun)
{
    /// <summary>Links to stories added (article imports).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Linked { get; init; }
}

/// <summary>One problem with one row of an import: the row (1 = the first record), the field, the value as sent, and why.</summary>
public sealed record BadRow(long Row, string Field, string? Value, string Message);

/// <summary>422: the import was refused as a whole because of the rows listed; nothing was written.</summary>
public sealed class ImportProblem : ProblemDetails
{
    public const int MaxListed = 1000;

    /// <summary>The bad rows, in file order; at most 1,000 are listed.</summary>
    [JsonPropertyName("badRows")]
    public required IReadOnlyList<BadRow> BadRows { get; init; }

    /// <summary>How many rows are bad in all.</summary>
    [JsonPropertyName("badRowCount")]
    public required long BadRowCount { get; init; }

    public static ImportProblem For(BadRows rows) => new()
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Detail = $"{rows.Count} row(s) cannot be imported; nothing was written. Fix every listed row and send the file again.",
        BadRows = [.. rows.Listed.OrderBy(r => r.Row)],
        BadRowCount = rows.Count,
    };
}

/// <summary>Collects bad rows, keeping the first <see cref="ImportProblem.MaxListed"/>.</summary>
public sealed class BadRows
{
    private readonly List<BadRow> listed = [];

    public long Count { get; private set; }

    public IReadOnlyList<BadRow> Listed => listed;

    public bool Any => Count > 0;

    public void Add(long row, string field, string? value, string message)
    {
        Count++;
        if (listed.Count < ImportProblem.MaxListed)
        {
            listed.Add(new BadRow(row, field, value is { Length: > 200 } ? value[..200] + "…" : value, message));
        }
    }
}
