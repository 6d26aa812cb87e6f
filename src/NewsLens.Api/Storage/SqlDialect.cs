using System.Text.Json;

namespace NewsLens.Api.Storage;

/// <summary>A column of a <see cref="SqlDialect.Rows"/> set: its name and CLR type (<c>long</c>, <c>long?</c>, <c>string</c>, <c>string?</c>).</summary>
public readonly record struct RowColumn(string Name, Type Type);

/// <summary>A set of rows a statement reads as a table (<see cref="Table"/>), with the parameters that carry them.</summary>
public sealed record RowSet(string Table, Dapper.DynamicParameters Parameters);

/// <summary>
/// What SQL says differently on each engine, and nothing else: every store writes one statement for both, and asks
/// the dialect only for these pieces. Sets of values travel as one parameter per set (SQLite: a JSON array read with
/// <c>json_each</c>; PostgreSQL: arrays read with <c>unnest</c>), so a statement's text never depends on how many
/// rows it carries.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>A table named <paramref name="name"/> of one column, <c>id</c>, holding <paramref name="ids"/>.</summary>
    public RowSet Ids(string name, IEnumerable<long> ids) =>
        Rows(name, [new RowColumn("id", typeof(long))], ids.Select(id => new object?[] { id }).ToList());

    /// <summary>
    /// A table named <paramref name="name"/> (for <c>FROM</c> and joins; refer to its columns as <c>name.column</c>)
    /// with <paramref name="columns"/>, holding <paramref name="rows"/> (each row's values in column order).
    /// </summary>
    public abstract RowSet Rows(string name, IReadOnlyList<RowColumn> columns, IReadOnlyList<object?[]> rows);

    /// <summary>
    /// Rows for a statement of <paramref name="write"/>, the way the engine takes many rows fastest (a bulk
    /// import's windows). The same table as <see cref="Rows"/>; by default it is that.
    /// </summary>
    public virtual Task<RowSet> StageAsync(StorageWrite write, string name, IReadOnlyList<RowColumn> columns, IReadOnlyList<object?[]> rows,
        CancellationToken ct) => Task.FromResult(Rows(name, columns, rows));

    /// <summary>Statements that set up every write, sent ahead of its first statement in the same round trip (none by default).</summary>
    public virtual string WritePreamble => "";

    /// <summary>Rows a statement carries at most when it writes a row set (inserts of an import's rows).</summary>
    public abstract int RowsPerStatement { get; }

    /// <summary>Locks the rows a SELECT reads until the transaction ends (empty where the engine has one writer at a time).</summary>
    public abstract string ForUpdate { get; }

    /// <summary>A case-insensitive LIKE.</summary>
    public abstract string LikeInsensitive { get; }

    /// <summary>
    /// A story-list filter on <c>@fullText</c>, the FTS5 query <see cref="Stories.StorySearch.ToFullTextQuery"/> builds
    /// (each word a quoted prefix, all required), against the stories' titles and summaries.
    /// </summary>
    public abstract string FullTextFilter { get; }

    /// <summary>The smaller of two values (a function of two arguments).</summary>
    public abstract string Least { get; }

    /// <summary>The larger of two values (a function of two arguments).</summary>
    public abstract string Greatest { get; }
}

public sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override RowSet Rows(string name, IReadOnlyList<RowColumn> columns, IReadOnlyList<object?[]> rows)
    {
        var select = string.Join(", ", columns.Select((c, i) => $"value ->> {i} AS {c.Name}"));
        var parameters = new Dapper.DynamicParameters();
        parameters.Add(name, JsonSerializer.Serialize(rows));
        return new RowSet($"(SELECT {select} FROM json_each(@{name})) AS {name}", parameters);
    }

    // More rows per statement were not faster and raised SQLite's memory high-water mark (a statement keeps copies
    // of the pages it changes until it ends).
    public override int RowsPerStatement => 64;

    // SQLite's write lock already serializes every writer, from BEGIN IMMEDIATE on.
    public override string ForUpdate => "";

    // LIKE is case-insensitive for ASCII in SQLite.
    public override string LikeInsensitive => "LIKE";

    // FTS5 (migration 0003).
    public override string FullTextFilter => " AND s.story_id IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH @fullText)";

    public override string Least => "MIN";

    public override string Greatest => "MAX";
}
