using Dapper;
using System.Data.Common;
using NewsLens.Api.Ratings;

namespace NewsLens.Api.Outlets;

public sealed class OutletRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Domain { get; init; } = "";
    public string? Bias { get; init; }
    public string? Factuality { get; init; }
    public string? Ownership { get; init; }
    public string? Country { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public long Version { get; init; }

    public string ETag => EntityTags.For('o', Id, Version);

    public OutletResponse ToResponse()
    {
        var bias = EnumText<Bias>.ParseStored(Bias);
        return new(Id, Name, Domain, bias, bias?.ToLean(), EnumText<Factuality>.ParseStored(Factuality),
            EnumText<Ownership>.ParseStored(Ownership), Country, UnixTime.FromMs(CreatedAt), UnixTime.FromMs(UpdatedAt));
    }
}

/// <summary>An outlet's fields as stored: normalized domain and country, snake_case ratings.</summary>
public sealed record OutletValues(string Name, string Domain, string? Bias, string? Factuality, string? Ownership, string? Country);

/// <summary>Outlet queries. Each write is one IMMEDIATE transaction, so the checks it makes still hold when it writes.</summary>
public sealed class OutletStore(Database database)
{
    public const string ListName = "outlets";
    public const int ListKeyParts = 1;

    private const string Columns = "id, name, domain, bias, factuality, ownership, country, created_at, updated_at, version";

    public async Task<OutletRow?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"SELECT {Columns} FROM outlets WHERE id = @id";
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<OutletRow>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<OutletRow>> ListAsync(Lean? lean, string? q, long? afterId, int limit, CancellationToken ct)
    {
        // Ordered by id: stable and served by the primary key (or the lean index) for keyset pagination.
        const string sql = $"""
            SELECT {Columns} FROM outlets
            WHERE (@lean IS NULL OR lean = @lean)
              AND (@pattern IS NULL OR name LIKE @pattern ESCAPE '\' OR domain LIKE @pattern ESCAPE '\')
              AND id > @afterId
            ORDER BY id
            LIMIT @take
            """;
        var pattern = q is { Length: > 0 } ? "%" + EscapeLike(q) + "%" : null;
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<OutletRow>(new CommandDefinition(
            sql, new { lean = EnumText<Lean>.Name(lean), pattern, afterId = afterId ?? long.MinValue, take = limit + 1 }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<WriteResult<OutletRow>> CreateAsync(OutletValues values, long now, CancellationToken ct)
    {
        const string sql = $"""
            INSERT INTO outlets (name, domain, bias, factuality, ownership, country, created_at, updated_at)
            VALUES (@Name, @Domain, @Bias, @Factuality, @Ownership, @Country, @now, @now)
            RETURNING {Columns}
            """;
        await using var connection = await database.OpenForWriteAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        if (await FindIdByDomainAsync(transaction, values.Domain, ct) is { } existing)
        {
            return WriteResult<OutletRow>.Conflict(existing);
        }

        var row = await connection.QuerySingleAsync<OutletRow>(new CommandDefinition(sql, Parameters(values, now), transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return WriteResult<OutletRow>.Done(row);
    }

    /// <param name="versionMatches">The If-Match check, made on the current version inside the write transaction; null without one.</param>
    public async Task<WriteResult<OutletRow>> ReplaceAsync(long id, OutletValues values, long now, Func<long, bool>? versionMatches, CancellationToken ct)
    {
        const string sql = $"""
            UPDATE outlets
            SET name = @Name, domain = @Domain, bias = @Bias, factuality = @Factuality, ownership = @Ownership,
                country = @Country, updated_at = @now, version = version + 1
            WHERE id = @id
            RETURNING {Columns}
            """;
        await using var connection = await database.OpenForWriteAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        if (RowVersions.Refusal(await VersionAsync(transaction, id, ct), versionMatches) is { } refusal)
        {
            return WriteResult<OutletRow>.Refused(refusal);
        }

        if (await FindIdByDomainAsync(transaction, values.Domain, ct) is { } owner && owner != id)
        {
            return WriteResult<OutletRow>.Conflict(owner);
        }

        var parameters = Parameters(values, now);
        parameters.Add("id", id);
        var row = await connection.QuerySingleOrDefaultAsync<OutletRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: ct));
        if (row is null)
        {
            return WriteResult<OutletRow>.NotFound();
        }

        await transaction.CommitAsync(ct);
        return WriteResult<OutletRow>.Done(row);
    }

    /// <summary>Deletes an outlet that has no articles; one with articles is a conflict.</summary>
    public async Task<WriteOutcome> DeleteAsync(long id, Func<long, bool>? versionMatches, CancellationToken ct)
    {
        const string used = "SELECT EXISTS (SELECT 1 FROM articles WHERE outlet_id = @id)";
        await using var connection = await database.OpenForWriteAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        if (RowVersions.Refusal(await VersionAsync(transaction, id, ct), versionMatches) is { } refusal)
        {
            return refusal;
        }

        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(used, new { id }, transaction, cancellationToken: ct)))
        {
            return WriteOutcome.Conflict;
        }

        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM outlets WHERE id = @id", new { id }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return WriteOutcome.Done;
    }

    /// <summary>
    /// Upserts by normalized domain in one transaction: a new domain is created, a known one updated when
    /// any field differs. With <paramref name="dryRun"/> the transaction is rolled back: the counts say
    /// what would have happened.
    /// </summary>
    /// <summary>
    /// Upserts an import's checked outlets by domain, window by window, in one IMMEDIATE transaction; a dry run only
    /// reads (no write turn) and counts. Rows that change nothing are left alone.
    /// </summary>
    public async Task<ImportResult> ImportAsync(ImportSpool<OutletImportValues> spool, long now, bool dryRun, CancellationToken ct)
    {
        if (dryRun)
        {
            await using var reader = await database.OpenAsync(ct);
            var counts = new ImportCounts();
            foreach (var window in spool.Windows())
            {
                await ClassifyAsync(reader, null, window, counts, ct);
            }

            return new ImportResult(counts.Created.Count, counts.Updated.Count, counts.Unchanged, DryRun: true);
        }

        await using var connection = await database.OpenForWriteAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        int created = 0, updated = 0, unchanged = 0;
        foreach (var window in spool.Windows())
        {
            var counts = new ImportCounts();
            await ClassifyAsync(connection, transaction, window, counts, ct);
            foreach (var slice in counts.Created.Chunk(ImportSliceRows))
            {
                await connection.ExecuteAsync(new CommandDefinition(ImportInsertSql, new { rows = RowsJson(slice), now }, transaction, cancellationToken: ct));
            }

            foreach (var slice in counts.Updated.Chunk(ImportSliceRows))
            {
                await connection.ExecuteAsync(new CommandDefinition(ImportUpdateSql, new { rows = RowsJson(slice), now }, transaction, cancellationToken: ct));
            }

            (created, updated, unchanged) = (created + counts.Created.Count, updated + counts.Updated.Count, unchanged + counts.Unchanged);
        }

        await transaction.CommitAsync(ct);
        return new ImportResult(created, updated, unchanged, DryRun: false);
    }

    private const int ImportSliceRows = 500;

    private sealed class ImportCounts
    {
        public List<OutletValues> Created { get; } = [];
        public List<OutletValues> Updated { get; } = [];
        public int Unchanged { get; set; }
    }

    /// <summary>Sorts a window's outlets into new, changed and unchanged by what is stored under their domains.</summary>
    private static async Task ClassifyAsync(DbConnection connection, DbTransaction? transaction, List<OutletImportValues> window, ImportCounts counts, CancellationToken ct)
    {
        const string stored = """
            SELECT o.name, o.domain, o.bias, o.factuality, o.ownership, o.country
            FROM json_each(@domains) AS j
            JOIN outlets AS o ON o.domain = j.value
            """;
        var current = new Dictionary<string, OutletValues>(StringComparer.Ordinal);
        foreach (var slice in window.Chunk(ImportSliceRows))
        {
            var domains = System.Text.Json.JsonSerializer.Serialize(slice.Select(r => r.Outlet.Domain));
            foreach (var row in await connection.QueryAsync<OutletValues>(new CommandDefinition(stored, new { domains }, transaction, cancellationToken: ct)))
            {
                current[row.Domain] = row;
            }
        }

        foreach (var (_, outlet) in window)
        {
            if (!current.TryGetValue(outlet.Domain, out var row))
            {
                counts.Created.Add(outlet);
            }
            else if (row != outlet)
            {
                counts.Updated.Add(outlet);
            }
            else
            {
                counts.Unchanged++;
            }
        }
    }

    private static string RowsJson(IEnumerable<OutletValues> outlets) =>
        System.Text.Json.JsonSerializer.Serialize(outlets.Select(o => new[] { o.Name, o.Domain, o.Bias, o.Factuality, o.Ownership, o.Country }));

    private const string ImportInsertSql = """
        INSERT INTO outlets (name, domain, bias, factuality, ownership, country, created_at, updated_at)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, @now, @now
        FROM json_each(@rows)
        """;

    // Row triggers (migration 0002) carry a changed lean into the summaries of the stories the outlet covers.
    private const string ImportUpdateSql = """
        UPDATE outlets
        SET name = j.value ->> 0, bias = j.value ->> 2, factuality = j.value ->> 3, ownership = j.value ->> 4, country = j.value ->> 5,
            updated_at = @now, version = version + 1
        FROM json_each(@rows) AS j
        WHERE outlets.domain = j.value ->> 1
        """;

    private static Task<long?> FindIdByDomainAsync(DbTransaction transaction, string domain, CancellationToken ct) =>
        transaction.Connection!.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM outlets WHERE domain = @domain", new { domain }, transaction, cancellationToken: ct));

    private static Task<long?> VersionAsync(DbTransaction transaction, long id, CancellationToken ct) =>
        transaction.Connection!.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT version FROM outlets WHERE id = @id", new { id }, transaction, cancellationToken: ct));

    private static DynamicParameters Parameters(OutletValues values, long now)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("now", now);
        return parameters;
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
