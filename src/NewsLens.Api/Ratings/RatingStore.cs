using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using NewsLens.Api.Coverage;

namespace NewsLens.Api.Ratings;

public sealed class RaterRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Url { get; init; }
    public string Vocabulary { get; init; } = "";
    public bool BuiltIn { get; init; }
    public long CreatedAt { get; init; }

    public RaterVocabulary ParsedVocabulary => EnumText<RaterVocabulary>.ParseStored(Vocabulary)!.Value;

    public RaterResponse ToResponse() => new(Id, Name, Url, ParsedVocabulary, BuiltIn, UnixTime.FromMs(CreatedAt));
}

/// <summary>The rating an outlet write carries: the 7-point bias, the rater's own word for it, and the factuality.</summary>
public readonly record struct OutletRating(long OutletId, string? Bias, string? RaterBias, string? Factuality);

public sealed record RatingRow(long OutletId, string RaterId, string? Bias, string? RaterBias, string? Factuality, long EffectiveFrom,
    string? SourceUrl, string? Note, long RecordedAt, string? RecordedBy)
{
    public RaterRating ForCombining => new(RaterId, EnumText<Bias>.ParseStored(Bias), EnumText<Factuality>.ParseStored(Factuality));

    /// <summary>The same rating, whenever and by whom it was recorded.</summary>
    public bool SameAs(RatingRow other) =>
        (Bias, RaterBias, Factuality, SourceUrl, Note) == (other.Bias, other.RaterBias, other.Factuality, other.SourceUrl, other.Note);

    public RatingResponse ToResponse()
    {
        var bias = EnumText<Bias>.ParseStored(Bias);
        return new(RaterId, bias, bias?.ToLean(), RaterBias, EnumText<Factuality>.ParseStored(Factuality), UnixTime.FromMs(EffectiveFrom),
            SourceUrl, Note, UnixTime.FromMs(RecordedAt), RecordedBy);
    }
}

public enum RecordOutcome
{
    Recorded,

    /// <summary>The same rating was already in force then: nothing was recorded.</summary>
    Unchanged,
    OutletNotFound,

    /// <summary>A different rating of the rater is recorded at exactly that instant; history is never overwritten.</summary>
    Conflict,
}

/// <summary>
/// Raters, their dated ratings, and the combined rating kept in <c>outlets.bias</c>/<c>factuality</c>: every write that
/// records a rating recombines the outlet's ratings in the same transaction, and a changed combination moves the
/// coverage of every story the outlet covered (<see cref="CoverageSummaries.OutletsChangedAsync"/>).
/// </summary>
public sealed class RatingStore(Database database, CoverageSummaries summaries, IOptions<RatingsSettings> settings)
{
    public const string NewsLens = "newslens";

    private const string RaterColumns = "id, name, url, vocabulary, built_in, created_at";
    private const string RatingColumns = "outlet_id, rater_id, bias, rater_bias, factuality, effective_from, source_url, note, recorded_at, recorded_by";

    public CombineSettings Combine => settings.Value.Combine;

    public async Task<IReadOnlyList<RaterRow>> ListRatersAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<RaterRow>(new CommandDefinition($"SELECT {RaterColumns} FROM raters ORDER BY position", cancellationToken: ct))).AsList();
    }

    public async Task<RaterRow?> GetRaterAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<RaterRow>(new CommandDefinition($"SELECT {RaterColumns} FROM raters WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public Task<WriteResult<RaterRow>> CreateRaterAsync(RaterRequest request, long now, CancellationToken ct) =>
        database.WriteAsync(async write =>
        {
            if (await write.Connection.ExecuteScalarAsync<long>(write.Command("SELECT COUNT(*) FROM raters WHERE id = @Id", request, ct)) > 0)
            {
                return WriteResult<RaterRow>.Conflict();
            }

            var row = await write.Connection.QuerySingleAsync<RaterRow>(write.Command($"""
                INSERT INTO raters (id, name, url, vocabulary, position, created_at)
                SELECT @Id, @Name, @Url, @vocabulary, COALESCE(MAX(position), 0) + 1, @now FROM raters
                RETURNING {RaterColumns}
                """, new { request.Id, request.Name, request.Url, vocabulary = EnumText<RaterVocabulary>.Name(request.Vocabulary), now }, ct));
            return WriteResult<RaterRow>.Done(row);
        }, ct);

    /// <summary>Records <paramref name="rating"/> (its outlet and rater checked by the caller's handler) unless the same is in force then.</summary>
    public Task<(RecordOutcome Outcome, RatingRow? Rating)> RecordAsync(RatingRow rating, long now, CancellationToken ct) =>
        database.WriteAsync<(RecordOutcome, RatingRow?)>(async write =>
        {
            if (await write.Connection.ExecuteScalarAsync<long>(write.Command("SELECT COUNT(*) FROM outlets WHERE id = @OutletId", rating, ct)) == 0)
            {
                return (RecordOutcome.OutletNotFound, null);
            }

            var inForce = await write.Connection.QueryFirstOrDefaultAsync<RatingRow>(write.Command($"""
                SELECT {RatingColumns} FROM outlet_ratings
                WHERE outlet_id = @OutletId AND rater_id = @RaterId AND effective_from <= @EffectiveFrom
                ORDER BY effective_from DESC
                LIMIT 1
                """, rating, ct));
            if (inForce is not null && inForce.SameAs(rating))
            {
                return (RecordOutcome.Unchanged, inForce);
            }

            if (inForce?.EffectiveFrom == rating.EffectiveFrom)
            {
                return (RecordOutcome.Conflict, inForce);
            }

            await InsertAsync(write, [rating], ct);
            await RatingsRecordedAsync(write, [rating.OutletId], now, ct);
            return (RecordOutcome.Recorded, rating);
        }, ct);

    /// <summary>Outlet ids by normalized domain, for the domains that name one.</summary>
    public async Task<IReadOnlyDictionary<string, long>> OutletsByDomainAsync(IReadOnlyCollection<string> domains, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var slice in domains.Distinct().Chunk(500))
        {
            var rows = database.Dialect.Rows("d", [new("domain", typeof(string))], [.. slice.Select(d => new object?[] { d })]);
            foreach (var (id, domain) in await connection.QueryAsync<(long Id, string Domain)>(new CommandDefinition(
                $"SELECT o.id, o.domain FROM {rows.Table} JOIN outlets o ON o.domain = d.domain", rows.Parameters, cancellationToken: ct)))
            {
                found[domain] = id;
            }
        }

        return found;
    }

    /// <summary>Outlet ids by exact name (several where outlets share a name).</summary>
    public async Task<ILookup<string, long>> OutletsByNameAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var found = new List<(long Id, string Name)>();
        foreach (var slice in names.Distinct().Chunk(500))
        {
            var rows = database.Dialect.Rows("n", [new("name", typeof(string))], [.. slice.Select(n => new object?[] { n })]);
            found.AddRange(await connection.QueryAsync<(long Id, string Name)>(new CommandDefinition(
                $"SELECT o.id, o.name FROM {rows.Table} JOIN outlets o ON o.name = n.name", rows.Parameters, cancellationToken: ct)));
        }

        return found.ToLookup(f => f.Name, f => f.Id, StringComparer.Ordinal);
    }

    /// <summary>
    /// Records a rater's imported ratings, each effective <paramref name="effectiveFrom"/>, in one transaction: rows
    /// whose rating is already in force then are left alone; a row that meets a different rating of the rater at exactly
    /// that instant is a bad row, and then nothing is written. A dry run classifies with a read connection and writes nothing.
    /// </summary>
    public async Task<(RatingImportResult? Result, IReadOnlyList<BadRow> Conflicts)> ImportAsync(string raterId,
        IReadOnlyList<(long OutletId, CheckedRating Rating)> rows, long effectiveFrom, long now, string? recordedBy, bool dryRun, CancellationToken ct)
    {
        async Task<(List<RatingRow> Record, int Unchanged, List<BadRow> Conflicts)> ClassifyAsync(DbConnection connection, DbTransaction? transaction)
        {
            var inForce = (await CurrentAsync(connection, transaction, database.Dialect, [.. rows.Select(r => r.OutletId)], effectiveFrom, ct))
                .Where(r => r.RaterId == raterId).ToDictionary(r => r.OutletId);
            var (record, unchanged, conflicts) = (new List<RatingRow>(), 0, new List<BadRow>());
            foreach (var (outletId, rating) in rows)
            {
                var row = new RatingRow(outletId, raterId, rating.Bias, rating.RaterBias, rating.Factuality, effectiveFrom, rating.SourceUrl, rating.Note, now, recordedBy);
                if (inForce.TryGetValue(outletId, out var current) && current.SameAs(row))
                {
                    unchanged++;
                }
                else if (current?.EffectiveFrom == effectiveFrom)
                {
                    conflicts.Add(new BadRow(rating.Row, "effectiveFrom", null,
                        $"Outlet {outletId} has a different rating by '{raterId}' effective at exactly this instant; history is never overwritten."));
                }
                else
                {
                    record.Add(row);
                }
            }

            return (record, unchanged, conflicts);
        }

        if (dryRun)
        {
            await using var reader = await database.OpenAsync(ct);
            var (record, unchanged, conflicts) = await ClassifyAsync(reader, null);
            return conflicts.Count > 0 ? (null, conflicts) : (new RatingImportResult(record.Count, unchanged, DryRun: true), []);
        }

        return await database.WriteAsync<(RatingImportResult?, IReadOnlyList<BadRow>)>(async write =>
        {
            var (record, unchanged, conflicts) = await ClassifyAsync(write.Connection, write.Transaction);
            if (conflicts.Count > 0)
            {
                return (null, conflicts);
            }

            await InsertAsync(write, record, ct);
            if (record.Count > 0)
            {
                await RatingsRecordedAsync(write, [.. record.Select(r => r.OutletId)], now, ct);
            }

            return (new RatingImportResult(record.Count, unchanged, DryRun: false), []);
        }, ct, bulk: rows.Count >= 500);
    }

    /// <summary>
    /// The ratings an outlet write carries (its <c>bias</c> and <c>factuality</c>; <c>newslens</c> for single writes, the
    /// import's <c>rater</c> for imports), recorded effective <paramref name="now"/> for the outlets whose rating of that
    /// rater in force differs; then every written outlet's combined rating is worked out again. Returns the outlets
    /// whose combined rating changed.
    /// </summary>
    public async Task<IReadOnlyList<long>> RecordOutletWritesAsync(StorageWrite write, string raterId, IReadOnlyList<OutletRating> outlets,
        long now, string? recordedBy, CancellationToken ct)
    {
        if (outlets.Count == 0)
        {
            return [];
        }

        var current = (await CurrentAsync(write.Connection, write.Transaction, write.Dialect, outlets.Select(o => o.OutletId).ToList(), long.MaxValue, ct))
            .Where(r => r.RaterId == raterId)
            .ToDictionary(r => r.OutletId);
        var recorded = outlets
            .Where(o => current.TryGetValue(o.OutletId, out var inForce) ? (inForce.Bias, inForce.Factuality) != (o.Bias, o.Factuality) : o.Bias is not null || o.Factuality is not null)
            .Select(o => new RatingRow(o.OutletId, raterId, o.Bias, o.RaterBias, o.Factuality, now, null, null, now, recordedBy))
            .ToList();
        await InsertAsync(write, recorded, ct);
        return await RecombineAsync(write, [.. outlets.Select(o => o.OutletId).Distinct()], now, ct);
    }

    private static readonly RowColumn[] RatingRowColumns =
    [
        new("outlet_id", typeof(long)), new("rater_id", typeof(string)), new("bias", typeof(string)), new("rater_bias", typeof(string)),
        new("factuality", typeof(string)), new("effective_from", typeof(long)), new("source_url", typeof(string)), new("note", typeof(string)),
        new("recorded_at", typeof(long)), new("recorded_by", typeof(string)),
    ];

    /// <summary>Inserts ratings; one at the very instant of another of the same rater (an outlet written twice in a millisecond) replaces it.</summary>
    private static async Task InsertAsync(StorageWrite write, IReadOnlyList<RatingRow> ratings, CancellationToken ct)
    {
        foreach (var slice in ratings.Chunk(500))
        {
            var rows = write.Dialect.Rows("r", RatingRowColumns, [.. slice.Select(r => new object?[]
                { r.OutletId, r.RaterId, r.Bias, r.RaterBias, r.Factuality, r.EffectiveFrom, r.SourceUrl, r.Note, r.RecordedAt, r.RecordedBy })]);
            await write.Connection.ExecuteAsync(write.Command($"""
                INSERT INTO outlet_ratings ({RatingColumns})
                SELECT {RatingColumns} FROM {rows.Table} WHERE true
                ON CONFLICT (outlet_id, rater_id, effective_from) DO UPDATE
                SET bias = excluded.bias, rater_bias = excluded.rater_bias, factuality = excluded.factuality, source_url = excluded.source_url,
                    note = excluded.note, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by
                """, rows.Parameters, ct));
        }
    }

    /// <summary>The outlets' representations changed (their ratings); their combined ratings are worked out again.</summary>
    private async Task RatingsRecordedAsync(StorageWrite write, IReadOnlyList<long> outletIds, long now, CancellationToken ct)
    {
        var ids = write.Dialect.Ids("ids", outletIds);
        await write.Connection.ExecuteAsync(write.Command(
            $"UPDATE outlets SET version = version + 1, updated_at = @now WHERE id IN (SELECT ids.id FROM {ids.Table})", Merge(ids.Parameters, now), ct));
        var changed = await RecombineAsync(write, outletIds, now, ct);
        await summaries.OutletsChangedAsync(write, changed, now, ct);
    }

    /// <summary>
    /// Works out the outlets' combined ratings (and whether their raters disagree) from the ratings in force and stores
    /// those that differ in <c>outlets</c> (a new version). Returns the outlets whose combination changed: the coverage of
    /// their stories reads differently.
    /// </summary>
    public async Task<IReadOnlyList<long>> RecombineAsync(StorageWrite write, IReadOnlyList<long> outletIds, long now, CancellationToken ct)
    {
        var order = await RaterOrderAsync(write.Connection, write.Transaction, ct);
        var inForce = (await CurrentAsync(write.Connection, write.Transaction, write.Dialect, outletIds, long.MaxValue, ct)).ToLookup(r => r.OutletId);
        var changed = new List<long>();
        foreach (var slice in outletIds.Chunk(500))
        {
            var ids = write.Dialect.Ids("ids", slice);
            var stored = await write.Connection.QueryAsync<(long Id, string? Bias, string? Factuality, long MultiRated, long Contested)>(write.Command(
                $"SELECT o.id, o.bias, o.factuality, o.multi_rated, o.contested FROM {ids.Table} JOIN outlets o ON o.id = ids.id", ids.Parameters, ct));
            foreach (var (id, bias, factuality, multiRated, contested) in stored)
            {
                var combined = CombineInForce(order, inForce[id]);
                var (newBias, newFactuality) = (EnumText<Bias>.Name(combined.Bias), EnumText<Factuality>.Name(combined.Factuality));
                var (newMultiRated, newContested) = (combined.MultiRated ? 1L : 0L, combined.Contested ? 1L : 0L);
                if ((newBias, newFactuality, newMultiRated, newContested) == (bias, factuality, multiRated, contested))
                {
                    continue;
                }

                await write.Connection.ExecuteAsync(write.Command("""
                    UPDATE outlets
                    SET bias = @newBias, factuality = @newFactuality, multi_rated = @newMultiRated, contested = @newContested, version = version + 1, updated_at = @now
                    WHERE id = @id
                    """, new { newBias, newFactuality, newMultiRated, newContested, now, id }, ct));
                changed.Add(id);
            }
        }

        return changed;
    }

    /// <summary>The combination of ratings in force, over the raters of the rule in its order.</summary>
    public Combination CombineInForce(IReadOnlyList<string> order, IEnumerable<RatingRow> inForce)
    {
        var byRater = inForce.ToDictionary(r => r.RaterId);
        return CombinedRating.Combine(Combine.Method, [.. order.Where(byRater.ContainsKey).Select(r => byRater[r].ForCombining)]);
    }

    /// <summary>The raters the rule combines, in its order: Ratings:Combine:Raters, or every rater by position.</summary>
    public async Task<IReadOnlyList<string>> RaterOrderAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct) =>
        Combine.Raters.Count > 0
            ? Combine.Raters
            : (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM raters ORDER BY position", transaction: transaction, cancellationToken: ct))).AsList();

    /// <summary>Each rater's rating of each outlet in force at <paramref name="asOf"/> (milliseconds).</summary>
    public static async Task<IReadOnlyList<RatingRow>> CurrentAsync(DbConnection connection, DbTransaction? transaction, SqlDialect dialect,
        IReadOnlyList<long> outletIds, long asOf, CancellationToken ct)
    {
        var result = new List<RatingRow>();
        foreach (var slice in outletIds.Distinct().Chunk(500))
        {
            var ids = dialect.Ids("ids", slice);
            var parameters = Merge(ids.Parameters, asOf, "asOf");
            result.AddRange(await connection.QueryAsync<RatingRow>(new CommandDefinition($"""
                SELECT {string.Join(", ", RatingColumns.Split(", ").Select(c => "r." + c))}
                FROM {ids.Table} JOIN outlet_ratings r ON r.outlet_id = ids.id
                WHERE r.effective_from = (
                    SELECT MAX(x.effective_from) FROM outlet_ratings x
                    WHERE x.outlet_id = r.outlet_id AND x.rater_id = r.rater_id AND x.effective_from <= @asOf)
                """, parameters, transaction, cancellationToken: ct)));
        }

        return result;
    }

    /// <summary>Each outlet's ratings in force now, in rater order (for outlet answers).</summary>
    public async Task<ILookup<long, RatingRow>> InForceAsync(IReadOnlyList<long> outletIds, CancellationToken ct)
    {
        if (outletIds.Count == 0)
        {
            return Array.Empty<RatingRow>().ToLookup(r => r.OutletId);
        }

        await using var connection = await database.OpenAsync(ct);
        var position = (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM raters ORDER BY position", cancellationToken: ct)))
            .Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var ratings = await CurrentAsync(connection, null, database.Dialect, outletIds, long.MaxValue, ct);
        return ratings.OrderBy(r => position.GetValueOrDefault(r.RaterId, int.MaxValue)).ToLookup(r => r.OutletId);
    }

    /// <summary>An outlet's ratings (every one, oldest first), or null when there is no such outlet.</summary>
    public async Task<(IReadOnlyList<RatingRow> Ratings, IReadOnlyList<string> Order)?> ReadOutletAsync(long outletId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var snapshot = await database.BeginSnapshotAsync(connection, ct);
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM outlets WHERE id = @outletId", new { outletId }, snapshot, cancellationToken: ct)) == 0)
        {
            return null;
        }

        var ratings = (await connection.QueryAsync<RatingRow>(new CommandDefinition(
            $"SELECT {RatingColumns} FROM outlet_ratings WHERE outlet_id = @outletId ORDER BY effective_from, id", new { outletId }, snapshot, cancellationToken: ct))).AsList();
        var order = await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM raters ORDER BY position", transaction: snapshot, cancellationToken: ct));
        return (ratings, order.AsList());
    }

    /// <summary>
    /// Records the configured combination rule in the database; when it differs from the one the stored combined
    /// ratings were worked out with, every outlet's is worked out again (and the coverage of the stories of those that
    /// change). Returns whether the rule changed.
    /// </summary>
    public async Task<bool> ApplyCombineRuleAsync(long now, CancellationToken ct = default)
    {
        const string name = "ratings_combine";
        var fingerprint = Combine.Fingerprint;
        return await database.WriteAsync(async write =>
        {
            var stored = await write.Connection.QuerySingleOrDefaultAsync<string>(write.Command("SELECT value FROM server_settings WHERE name = @name", new { name }, ct));
            if (stored == fingerprint)
            {
                return false;
            }

            var outlets = (await write.Connection.QueryAsync<long>(write.Command("SELECT id FROM outlets ORDER BY id", null, ct))).AsList();
            var changed = await RecombineAsync(write, outlets, now, ct);
            await summaries.OutletsChangedAsync(write, changed, now, ct);
            await write.Connection.ExecuteAsync(write.Command(
                "INSERT INTO server_settings (name, value) VALUES (@name, @fingerprint) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                new { name, fingerprint }, ct));
            return true;
        }, ct);
    }

    private static DynamicParameters Merge(DynamicParameters parameters, long value, string name = "now")
    {
        parameters.Add(name, value);
        return parameters;
    }
}
