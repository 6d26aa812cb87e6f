using Dapper;
using System.Data.Common;
using NewsLens.Api.Infrastructure;
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

    public async Task<IReadOnlyList<OutletRow>> ListAsync(string? lean, string? q, long? afterId, int limit, CancellationToken ct)
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
            sql, new { lean, pattern, afterId = afterId ?? long.MinValue, take = limit + 1 }, cancellationToken: ct));
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
    public async Task<ImportResult> ImportAsync(IReadOnlyList<OutletValues> outlets, long now, bool dryRun, CancellationToken ct)
    {
        const string existing = $"SELECT {Columns} FROM outlets WHERE domain IN @domains";
        const string insert = """
            INSERT INTO outlets (name, domain, bias, factuality, ownership, country, created_at, updated_at)
            VALUES (@Name, @Domain, @Bias, @Factuality, @Ownership, @Country, @now, @now)
            """;
        const string update = """
            UPDATE outlets
            SET name = @Name, bias = @Bias, factuality = @Factuality, ownership = @Ownership, country = @Country,
                updated_at = @now, version = version + 1
            WHERE domain = @Domain
            """;

        await using var connection = await database.OpenForWriteAsync(ct);
        await using var transaction = Database.BeginWrite(connection);
        var current = new Dictionary<string, OutletRow>(StringComparer.Ordinal);
        foreach (var chunk in outlets.Select(o => o.Domain).Chunk(500))
        {
            foreach (var row in await connection.QueryAsync<OutletRow>(new CommandDefinition(existing, new { domains = chunk }, transaction, cancellationToken: ct)))
            {
                current[row.Domain] = row;
            }
        }

        int created = 0, updated = 0, unchanged = 0;
        foreach (var outlet in outlets)
        {
            if (!current.TryGetValue(outlet.Domain, out var row))
            {
                await connection.ExecuteAsync(new CommandDefinition(insert, Parameters(outlet, now), transaction, cancellationToken: ct));
                created++;
            }
            else if (row.Name != outlet.Name || row.Bias != outlet.Bias || row.Factuality != outlet.Factuality ||
                     row.Ownership != outlet.Ownership || row.Country != outlet.Country)
            {
                await connection.ExecuteAsync(new CommandDefinition(update, Parameters(outlet, now), transaction, cancellationToken: ct));
                updated++;
            }
            else
            {
                unchanged++;
            }
        }

        if (!dryRun)
        {
            await transaction.CommitAsync(ct);
        }

        return new ImportResult(created, updated, unchanged, dryRun);
    }

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
