using System.Collections.Concurrent;

namespace NewsLens.LoadTest;

/// <summary>
/// After the load, with no write under way: every story in the database, read from each replica directly (not through
/// the proxy), must have the coverage a recount from its links gives, with the same ETag and Last-Modified from all.
/// </summary>
static class ReplicaAgreement
{
    public static async Task<ClusterCheck> CheckAsync(IReadOnlyList<Replica> replicas, ServerDatabase database)
    {
        var expected = await Recount.CoverageAsync(database);
        var problems = new ConcurrentQueue<string>();
        int wrong = 0, validatorsDiffer = 0;
        await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (story, _) =>
        {
            var served = await Task.WhenAll(replicas.Select(r => CoverageRead.GetAsync(r.Http, story.Key)));
            for (var i = 0; i < replicas.Count; i++)
            {
                if (served[i]?.Counts != story.Value)
                {
                    Interlocked.Increment(ref wrong);
                    problems.Enqueue($"{replicas[i].Name}: story {story.Key} coverage {served[i]?.Counts ?? "not served"}, recount {story.Value}");
                }
            }

            if (served.Select(s => (s?.ETag, s?.LastModified)).Distinct().Count() > 1)
            {
                Interlocked.Increment(ref validatorsDiffer);
                problems.Enqueue($"story {story.Key}: validators {string.Join(" | ", served.Select(s => $"{s?.ETag} {s?.LastModified:R}"))}");
            }
        });

        foreach (var problem in problems.Take(10))
        {
            Console.WriteLine("  " + problem);
        }

        return new ClusterCheck("replicas agree", wrong == 0 && validatorsDiffer == 0 && expected.Count > 0,
            $"{expected.Count:N0} stories read from each of {replicas.Count} replicas directly: {wrong} differ from a recount from the links, " +
            $"{validatorsDiffer} with differing ETag or Last-Modified");
    }
}
