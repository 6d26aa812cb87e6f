using Dapper;

namespace NewsLens.LoadTest;

/// <summary>Compares every story's maintained summary with a recount from its links, in SQL both engines run.</summary>
static class Recount
{
    public static async Task<(int Stories, int Mismatched)> CompareAsync(ServerDatabase database)
    {
        const string recount = """
            SELECT st.id,
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'left') || '/' || COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'center') || '/' ||
                   COUNT(DISTINCT a.outlet_id) FILTER (WHERE o.lean = 'right') || '/' || COUNT(DISTINCT a.outlet_id) FILTER (WHERE a.id IS NOT NULL AND o.lean IS NULL) || '/' ||
                   COUNT(a.id) FILTER (WHERE o.lean = 'left') || '/' || COUNT(a.id) FILTER (WHERE o.lean = 'center') || '/' ||
                   COUNT(a.id) FILTER (WHERE o.lean = 'right') || '/' || COUNT(a.id) FILTER (WHERE a.id IS NOT NULL AND o.lean IS NULL) || '/' ||
                   COALESCE(CAST(MIN(a.published_at) AS TEXT), '-') || '/' || COALESCE(CAST(MAX(a.published_at) AS TEXT), '-')
            FROM stories st
            LEFT JOIN story_articles sa ON sa.story_id = st.id
            LEFT JOIN articles a ON a.id = sa.article_id
            LEFT JOIN outlets o ON o.id = a.outlet_id
            GROUP BY st.id
            """;
        const string stored = """
            SELECT story_id, sources_left || '/' || sources_center || '/' || sources_right || '/' || sources_unrated || '/' ||
                   articles_left || '/' || articles_center || '/' || articles_right || '/' || articles_unrated || '/' ||
                   COALESCE(CAST(first_published_at AS TEXT), '-') || '/' || COALESCE(CAST(last_published_at AS TEXT), '-')
            FROM story_summaries
            """;
        await using var connection = await database.OpenAsync();
        var expected = (await connection.QueryAsync<(long, string)>(recount)).ToDictionary(r => r.Item1, r => r.Item2);
        var actual = (await connection.QueryAsync<(long, string)>(stored)).ToDictionary(r => r.Item1, r => r.Item2);
        var mismatched = expected.Count(e => !actual.TryGetValue(e.Key, out var a) || a != e.Value) + actual.Keys.Count(k => !expected.ContainsKey(k));
        return (expected.Count, mismatched);
    }
}
