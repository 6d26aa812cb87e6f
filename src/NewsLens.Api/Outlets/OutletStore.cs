using Dapper;
using System.Data.Common;
using NewsLens.Api.Coverage;
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

    public OutletValues Values => new(Name, Domain, Bias, Factuality, Ownership, Country);

    /// <param name="ratings">The outlet's ratings in force, in rater order.</param>
    public OutletResponse ToResponse(IEnumerable<RatingRow> ratings)
    {
        var bias = EnumText<Bias>.ParseStored(Bias);
        return new(Id, Name, Domain, bias, bias?.ToLean(), EnumText<Factuality>.ParseStored(Factuality),
            EnumText<Ownership>.ParseStored(Ownership), Country, UnixTime.FromMs(CreatedAt), UnixTime.FromMs(UpdatedAt),
            [.. ratings.Select(r => r.ToResponse())]);
    }
}

/// <summary>An outlet's fields as stored: normalized domain and country, snake_case ratings.</summary>
public sealed record OutletValues(string Name, string Domain, string? Bias, string? Factuality, string? Ownership, string? Country);

/// <summary>Outlet queries. Each write is one IMMEDIATE transaction, so the checks it makes still hold when it writes.</summary>
public sealed class OutletStore(Database database, CoverageSummaries summaries, RatingStore ratings)
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
        var like = database.Dialect.LikeInsensitive;
        var sql = $"""
            SELECT {Columns} FROM outlets
            WHERE (@lean IS NULL OR lean = @lean)
              AND (@pattern IS NULL OR name {like} @pattern ESCAPE '\' OR domain {like} @pattern ESCAPE '\')
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

    /// <param name="recordedBy">The API key writing: its name goes with the NewsLens rating the outlet's bias and factuality record.</param>
    public async Task<WriteResult<OutletRow>> CreateAsync(OutletValues values, long now, string? recordedBy, CancellationToken ct)
    {
        const string sql = $"""
            INSERT INTO outlets (name, domain, bias, factuality, ownership, country, created_at, updated_at)
            VALUES (@Name, @Domain, @Bias, @Factuality, @Ownership, @Country, @now, @now)
            RETURNING {Columns}
            """;
        return await database.WriteAsync(async write =>
        {
            if (await FindIdByDomainAsync(write, values.Domain, ct) is { } existing)
            {
                return WriteResult<OutletRow>.Conflict(existing);
            }

            var row = await write.Connection.QuerySingleAsync<OutletRow>(write.Command(sql, Parameters(values, now), ct));
            await ratings.RecordOutletWritesAsync(write, RatingStore.NewsLens, [new OutletRating(row.Id, values.Bias, values.Bias, values.Factuality)], now, recordedBy, ct);
            return WriteResult<OutletRow>.Done(await ReadAsync(write, row.Id, ct));
        }, ct);
    }

    /// <param name="versionMatches">The If-Match check, made on the current version inside the write transaction; null without one.</param>
    public async Task<WriteResult<OutletRow>> ReplaceAsync(long id, OutletValues values, long now, Func<long, bool>? versionMatches, string? recordedBy,
        CancellationToken ct)
    {
        const string sql = $"""
            UPDATE outlets
            SET name = @Name, domain = @Domain, bias = @Bias, factuality = @Factuality, ownership = @Ownership,
                country = @Country, updated_at = @now, version = version + 1
            WHERE id = @id
            """;
        return await database.WriteAsync(async write =>
        {
            var before = await write.Connection.QuerySingleOrDefaultAsync<OutletRow>(write.Command($"SELECT {Columns} FROM outlets WHERE id = @id", new { id }, ct));
            if (RowVersions.Refusal(before?.Version, versionMatches) is { } refusal)
            {
                return WriteResult<OutletRow>.Refused(refusal);
            }

            if (await FindIdByDomainAsync(write, values.Domain, ct) is { } owner && owner != id)
            {
                return WriteResult<OutletRow>.Conflict(owner);
            }

            var parameters = Parameters(values, now);
            parameters.Add("id", id);
            await write.Connection.ExecuteAsync(write.Command(sql, parameters, ct));
            // bias and factuality are the NewsLens rating: recorded, then combined with the other raters' ratings in force.
            await ratings.RecordOutletWritesAsync(write, RatingStore.NewsLens, [new OutletRating(id, values.Bias, values.Bias, values.Factuality)], now, recordedBy, ct);
            var row = await ReadAsync(write, id, ct);
            if (ShownInCoverageChanged(before!.Values, row.Values))
            {
                await summaries.OutletsChangedAsync(write, [id], now, ct);
            }

            return WriteResult<OutletRow>.Done(row);
        }, ct);
    }

    /// <summary>Coverage shows an outlet's ratings, name and domain (not its country): a change of those moves the coverage of every story it covers.</summary>
    private static bool ShownInCoverageChanged(OutletValues before, OutletValues after) => before with { Country = null } != after with { Country = null };

    /// <summary>Deletes an outlet that has no articles; one with articles is a conflict.</summary>
    public async Task<WriteOutcome> DeleteAsync(long id, Func<long, bool>? versionMatches, CancellationToken ct)
    {
        const string used = "SELECT EXISTS (SELECT 1 FROM articles WHERE outlet_id = @id)";
        return await database.WriteAsync(async write =>
        {
            if (RowVersions.Refusal(await VersionAsync(write, id, ct), versionMatches) is { } refusal)
            {
                return refusal;
            }

            if (await write.Connection.ExecuteScalarAsync<bool>(write.Command(used, new { id }, ct)))
            {
                return WriteOutcome.Conflict;
            }

            await write.Connection.ExecuteAsync(write.Command("DELETE FROM outlets WHERE id = @id", new { id }, ct));
            return WriteOutcome.Done;
        }, ct);
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
    /// <summary>
    /// Upserts the spooled outlets by domain and records their bias and factuality as ratings of <paramref name="raterId"/>
    /// (in force from <paramref name="now"/>), recombined with the other raters' ratings in the same transaction.
    /// </summary>
    public async Task<ImportResult> ImportAsync(ImportSpool<OutletImportValues> spool, string raterId, long now, bool dryRun, string? recordedBy,
        CancellationToken ct)
    {
        if (dryRun)
        {
            await using var reader = await database.OpenAsync(ct);
            var counts = new ImportCounts();
            foreach (var window in spool.Windows())
            {
                await ClassifyAsync(reader, null, database.Dialect, window, raterId, counts, ct);
            }

            return new ImportResult(counts.Created.Count, counts.Updated.Count, counts.Unchanged, DryRun: true);
        }

        return await database.WriteAsync(async write =>
        {
            int created = 0, updated = 0, unchanged = 0;
            var shownChanged = new List<long>();
            foreach (var window in spool.Windows())
            {
                var counts = new ImportCounts();
                await ClassifyAsync(write.Connection, write.Transaction, write.Dialect, window, raterId, counts, ct);
                // A new outlet starts with the row's rating as its combined one (the combination of a single rating, unless the
                // rule leaves this rater out); RecombineAsync below corrects what differs.
                foreach (var slice in counts.Created.Chunk(ImportSliceRows))
                {
                    var rows = OutletRows(write.Dialect, slice.Select(c => c.Outlet));
                    rows.Parameters.Add("now", now);
                    await write.Connection.ExecuteAsync(write.Command($"""
                        INSERT INTO outlets (name, domain, bias, factuality, ownership, country, created_at, updated_at)
                        SELECT r.name, r.domain, r.bias, r.factuality, r.ownership, r.country, @now, @now FROM {rows.Table}
                        """, rows.Parameters, ct));
                }

                // The outlet's own columns; its bias and factuality are the combination of its raters' ratings.
                foreach (var slice in counts.Updated.Chunk(ImportSliceRows))
                {
                    var rows = OutletRows(write.Dialect, slice.Select(u => u.After.Outlet));
                    rows.Parameters.Add("now", now);
                    var ids = await write.Connection.QueryAsync<(long Id, string Domain)>(write.Command($"""
                        UPDATE outlets
                        SET name = r.name, ownership = r.ownership, country = r.country, updated_at = @now, version = version + 1
                        FROM {rows.Table}
                        WHERE outlets.domain = r.domain
                        RETURNING outlets.id, outlets.domain
                        """, rows.Parameters, ct));
                    var shown = slice.Where(u => OwnColumnsShownInCoverageChanged(u.Before, u.After.Outlet)).Select(u => u.After.Outlet.Domain)
                        .ToHashSet(StringComparer.Ordinal);
                    shownChanged.AddRange(ids.Where(i => shown.Contains(i.Domain)).Select(i => i.Id));
                }

                // The rows' bias and factuality are the rater's ratings: recorded where they differ from its rating in force, then combined.
                var written = counts.Created.Concat(counts.Updated.Select(u => u.After)).ToList();
                foreach (var slice in written.Chunk(ImportSliceRows))
                {
                    var domains = write.Dialect.Rows("d", [new("domain", typeof(string))], [.. slice.Select(o => new object?[] { o.Outlet.Domain })]);
                    var ids = (await write.Connection.QueryAsync<(long Id, string Domain)>(write.Command(
                        $"SELECT o.id, o.domain FROM {domains.Table} JOIN outlets o ON o.domain = d.domain", domains.Parameters, ct))).ToDictionary(r => r.Domain, r => r.Id);
                    shownChanged.AddRange(await ratings.RecordOutletWritesAsync(write, raterId,
                        [.. slice.Select(o => new OutletRating(ids[o.Outlet.Domain], o.Outlet.Bias, o.RaterBias, o.Outlet.Factuality))], now, recordedBy, ct));
                }

                (created, updated, unchanged) = (created + counts.Created.Count, updated + counts.Updated.Count, unchanged + counts.Unchanged);
            }

            await summaries.OutletsChangedAsync(write, [.. shownChanged.Distinct()], now, ct);
            return new ImportResult(created, updated, unchanged, DryRun: false);
        }, ct, bulk: spool.Count >= ImportSliceRows);
    }

    private static readonly RowColumn[] OutletColumns =
    [
        new("name", typeof(string)), new("domain", typeof(string)), new("bias", typeof(string)),
        new("factuality", typeof(string)), new("ownership", typeof(string)), new("country", typeof(string)),
    ];

    private static RowSet OutletRows(SqlDialect dialect, IEnumerable<OutletValues> outlets) =>
        dialect.Rows("r", OutletColumns, [.. outlets.Select(o => new object?[] { o.Name, o.Domain, o.Bias, o.Factuality, o.Ownership, o.Country })]);

    private const int ImportSliceRows = 500;

    private sealed class ImportCounts
    {
        public List<OutletImportValues> Created { get; } = [];
        public List<(OutletValues Before, OutletImportValues After)> Updated { get; } = [];
        public int Unchanged { get; set; }
    }

    /// <summary>
    /// Sorts a window's outlets into new, changed and unchanged by what is stored under their domains: the outlet's own
    /// columns, and as its bias and factuality the rating of <paramref name="raterId"/> in force (not the combined one,
    /// which other raters move).
    /// </summary>
    private static async Task ClassifyAsync(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, List<OutletImportValues> window,
        string raterId, ImportCounts counts, CancellationToken ct)
    {
        var current = new Dictionary<string, OutletValues>(StringComparer.Ordinal);
        foreach (var slice in window.Chunk(ImportSliceRows))
        {
            var domains = dialect.Rows("d", [new("domain", typeof(string))], [.. slice.Select(r => new object?[] { r.Outlet.Domain })]);
            domains.Parameters.Add("rater", raterId);
            var stored = $"""
                SELECT o.name, o.domain, r.bias, r.factuality, o.ownership, o.country
                FROM {domains.Table}
                JOIN outlets AS o ON o.domain = d.domain
                LEFT JOIN outlet_ratings AS r ON r.outlet_id = o.id AND r.rater_id = @rater
                    AND r.effective_from = (SELECT MAX(x.effective_from) FROM outlet_ratings x WHERE x.outlet_id = o.id AND x.rater_id = @rater)
                """;
            foreach (var row in await connection.QueryAsync<OutletValues>(new CommandDefinition(stored, domains.Parameters, transaction, cancellationToken: ct)))
            {
                current[row.Domain] = row;
            }
        }

        foreach (var row in window)
        {
            if (!current.TryGetValue(row.Outlet.Domain, out var stored))
            {
                counts.Created.Add(row);
            }
            else if (stored != row.Outlet)
            {
                counts.Updated.Add((stored, row));
            }
            else
            {
                counts.Unchanged++;
            }
        }
    }

    /// <summary>Coverage shows an outlet's name, domain and ownership from its own columns (its ratings are combined apart).</summary>
    private static bool OwnColumnsShownInCoverageChanged(OutletValues before, OutletValues after) =>
        before with { Bias = null, Factuality = null, Country = null } != after with { Bias = null, Factuality = null, Country = null };

    private static Task<OutletRow> ReadAsync(StorageWrite write, long id, CancellationToken ct) =>
        write.Connection.QuerySingleAsync<OutletRow>(write.Command($"SELECT {Columns} FROM outlets WHERE id = @id", new { id }, ct));

    private static Task<long?> FindIdByDomainAsync(StorageWrite write, string domain, CancellationToken ct) =>
        write.Connection.QuerySingleOrDefaultAsync<long?>(write.Command("SELECT id FROM outlets WHERE domain = @domain", new { domain }, ct));

    private static Task<long?> VersionAsync(StorageWrite write, long id, CancellationToken ct) =>
        write.Connection.QuerySingleOrDefaultAsync<long?>(write.Command("SELECT version FROM outlets WHERE id = @id", new { id }, ct));

    private static DynamicParameters Parameters(OutletValues values, long now)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("now", now);
        return parameters;
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
