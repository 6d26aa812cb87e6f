using System.Data;
using Dapper;
using Npgsql;

namespace NewsLens.Api.Storage;

/// <summary>PostgreSQL: row sets as arrays read with <c>unnest</c>, one array parameter per column.</summary>
public sealed class PostgreSqlDialect : SqlDialect
{
    public static readonly PostgreSqlDialect Instance = new();

    public override RowSet Rows(string name, IReadOnlyList<RowColumn> columns, IReadOnlyList<object?[]> rows)
    {
        var parameters = new DynamicParameters();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = i;
            Array values = columns[i].Type == typeof(long) ? rows.Select(r => Convert.ToInt64(r[column], System.Globalization.CultureInfo.InvariantCulture)).ToArray()
                : columns[i].Type == typeof(long?) ? rows.Select(r => r[column] is null ? (long?)null : Convert.ToInt64(r[column], System.Globalization.CultureInfo.InvariantCulture)).ToArray()
                : rows.Select(r => (string?)r[column]).ToArray();
            parameters.Add($"{name}_{i}", new ArrayParameter(values));
        }

        var arrays = string.Join(", ", columns.Select((_, i) => $"@{name}_{i}"));
        return new RowSet($"unnest({arrays}) AS {name}({string.Join(", ", columns.Select(c => c.Name))})", parameters);
    }

    // Arrays cost nothing per row to bind; large statements spare round trips.
    public override int RowsPerStatement => 8_192;

    /// <summary>Below this many rows a staged set is bound as arrays: a temporary table costs catalog writes.</summary>
    public const int CopyRows = 1_024;

    /// <summary>
    /// Many rows go through binary COPY into a temporary table of the transaction (dropped at its end; emptied when
    /// the same write stages that name again), which the statement reads.
    /// </summary>
    public override async Task<RowSet> StageAsync(StorageWrite write, string name, IReadOnlyList<RowColumn> columns, IReadOnlyList<object?[]> rows,
        CancellationToken ct)
    {
        if (rows.Count < CopyRows)
        {
            return Rows(name, columns, rows);
        }

        var table = $"staged_{name}";
        var names = string.Join(", ", columns.Select(c => c.Name));
        var connection = (NpgsqlConnection)write.Connection;
        await connection.ExecuteAsync(write.Command($"""
            CREATE TEMP TABLE IF NOT EXISTS {table} ({string.Join(", ", columns.Select(c => $"{c.Name} {(IsText(c) ? "text" : "bigint")}"))}) ON COMMIT DROP;
            TRUNCATE {table}
            """, null, ct));
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(ct);
                for (var i = 0; i < columns.Count; i++)
                {
                    if (row[i] is null)
                    {
                        await copy.WriteNullAsync(ct);
                    }
                    else if (IsText(columns[i]))
                    {
                        await copy.WriteAsync((string)row[i]!, NpgsqlTypes.NpgsqlDbType.Text, ct);
                    }
                    else
                    {
                        await copy.WriteAsync(Convert.ToInt64(row[i], System.Globalization.CultureInfo.InvariantCulture), NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                    }
                }
            }

            await copy.CompleteAsync(ct);
        }

        return new RowSet($"{table} AS {name}", new DynamicParameters());
    }

    private static bool IsText(RowColumn column) => column.Type == typeof(string);

    /// <summary>
    /// A write's statements are planned once per connection. They carry their rows as arrays, and PostgreSQL, which
    /// estimates 10 rows for an array it has not seen, found a plan for the actual one-element array cheaper every
    /// time, so it planned again at every execution. With the generic plan a single-article import cost PostgreSQL
    /// 1.45 ms of processor time instead of 2.3–2.4, and coverage reads under 100 writes/s went from 0.71–0.73× to
    /// 0.74–0.76× of their rate alone (docs/benchmarks.md). Reads keep the default, so a list's filters are planned for their values.
    /// </summary>
    public override string WritePreamble => "SET LOCAL plan_cache_mode = force_generic_plan;\n";

    public override string ForUpdate => "FOR UPDATE";

    public override string LikeInsensitive => "ILIKE";

    // The stories' generated tsvector and newslens_search_query, which reads the FTS5 query's words (the PostgreSQL
    // schema). The function sits in FROM so that it runs once per query, also in a prepared statement's generic plan.
    public override string FullTextFilter =>
        " AND s.story_id IN (SELECT t.id FROM stories t, newslens_search_query(@fullText) AS q(query) WHERE t.search @@ q.query)";

    public override string Least => "LEAST";

    public override string Greatest => "GREATEST";

    /// <summary>An array bound as one PostgreSQL array parameter (Dapper would otherwise expand it into a list of values).</summary>
    private sealed class ArrayParameter(Array values) : SqlMapper.ICustomQueryParameter
    {
        public void AddParameter(IDbCommand command, string name) => command.Parameters.Add(new NpgsqlParameter(name, values));
    }
}
