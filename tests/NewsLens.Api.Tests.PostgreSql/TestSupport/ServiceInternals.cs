// src/NewsLens.Api's InternalsVisibleTo names NewsLens.Api.Tests only, not this assembly, which compiles the same
// sources. Until it names NewsLens.Api.Tests.PostgreSql too, the four internal members those sources use are
// reached here under the same names (an inaccessible member gives way to an extension member, and a using alias
// to a type of an imported namespace), so not one shared line differs. Delete this file once it does.
global using ServerSettings = NewsLens.Api.Tests.TestSupport.ServiceInternals.ServerSettings;

using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using NewsLens.Api.Stories;

namespace NewsLens.Api.Tests.TestSupport;

internal static class ServiceInternals
{
    extension(Database database)
    {
        public Task<SqliteConnection> OpenForWriteAsync(CancellationToken ct) => OpenForWrite(database, ct);
    }

    extension(Database)
    {
        public static string WriterConnectionString(string connectionString) => WriterConnectionStringOf(null, connectionString);
    }

    extension(StoryStore)
    {
        public static string SearchSql(StorySearch search) => SearchSqlOf(null, search);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "OpenForWriteAsync")]
    private static extern Task<SqliteConnection> OpenForWrite(Database database, CancellationToken ct);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "WriterConnectionString")]
    private static extern string WriterConnectionStringOf(Database? type, string connectionString);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "SearchSql")]
    private static extern string SearchSqlOf(StoryStore? type, StorySearch search);

    public static class ServerSettings
    {
        public static string GetOrAdd(string connectionString, string name, Func<string> create, out bool added) =>
            GetOrAddOf(null, connectionString, name, create, out added);

        [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "GetOrAdd")]
        private static extern string GetOrAddOf(
            [UnsafeAccessorType("NewsLens.Api.Storage.ServerSettings, NewsLens.Api")] object? type, string connectionString, string name, Func<string> create, out bool added);
    }
}
