using Dapper;

namespace NewsLens.Api.Storage;

/// <summary>
/// Values the server makes for itself and every process on the database shares (table <c>server_settings</c>).
/// Read at start, before requests are served.
/// </summary>
internal static class ServerSettings
{
    /// <summary>
    /// The stored value of <paramref name="name"/>; when there is none, <paramref name="create"/>'s is stored first. Insert-if-absent
    /// and then read back, so processes starting at once on one database all end up with the value that was stored first.
    /// </summary>
    public static string GetOrAdd(Database database, string name, Func<string> create, out bool added)
    {
        const string Read = "SELECT value FROM server_settings WHERE name = @name";
        const string Add = "INSERT INTO server_settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING";

        // Once, at start (from a service factory, which cannot wait asynchronously).
        using var connection = database.Open();
        if (connection.QuerySingleOrDefault<string>(Read, new { name }) is { } existing)
        {
            added = false;
            return existing;
        }

        added = connection.Execute(Add, new { name, value = create() }) == 1;
        return connection.QuerySingle<string>(Read, new { name });
    }
}
