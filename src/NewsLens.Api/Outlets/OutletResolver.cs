using System.Data.Common;
using Dapper;

namespace NewsLens.Api.Outlets;

/// <summary>
/// Which outlet an article belongs to: the outlet it names, which must exist, or else the outlet registered for its
/// URL's host or the closest parent domain (<c>edition.cnn.com</c> → <c>cnn.com</c>). One rule for single creation
/// and imports; answers are remembered for the resolver's life (one request), so an import asks once per host.
/// </summary>
public sealed class OutletResolver(DbConnection connection, DbTransaction? transaction, SqlDialect dialect)
{
    private const string ById = "SELECT EXISTS (SELECT 1 FROM outlets WHERE id = @id)";

    private readonly Dictionary<long, bool> exists = [];
    private readonly Dictionary<string, long?> ofHost = new(StringComparer.Ordinal);

    /// <summary>The outlet's id, or null and the reason there is none.</summary>
    public async Task<(long? Id, string? Problem)> ResolveAsync(long? outletId, string host, CancellationToken ct)
    {
        if (outletId is { } given)
        {
            if (!exists.TryGetValue(given, out var found))
            {
                found = exists[given] = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ById, new { id = given }, transaction, cancellationToken: ct));
            }

            return found ? (given, null) : (null, $"Outlet {given} does not exist.");
        }

        if (!ofHost.TryGetValue(host, out var id))
        {
            var domains = dialect.Rows("d", [new("domain", typeof(string))], [.. DomainName.SelfAndParents(host).Select(d => new object?[] { d })]);
            id = ofHost[host] = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                $"SELECT o.id FROM {domains.Table} JOIN outlets o ON o.domain = d.domain ORDER BY length(o.domain) DESC LIMIT 1",
                domains.Parameters, transaction, cancellationToken: ct));
        }

        return id is not null ? (id, null) : (null, $"No outlet is registered for {host} or a parent domain; create or import the outlet first, or give outletId.");
    }
}
