using System.Net;

namespace NewsLens.Api.Tests.Telemetry;

/// <summary>A caller's (or a proxy's) W3C <c>traceparent</c> is continued: the request's trace id is the caller's.</summary>
public sealed class TraceTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public async Task ARequestContinuesTheCallersTraceAndItsProblemNamesIt()
    {
        var traceId = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/stories/999999999/coverage");
        request.Headers.Add("traceparent", $"00-{traceId}-0123456789abcdef-01");

        var problem = await (await Client.SendAsync(request)).ReadProblemAsync(HttpStatusCode.NotFound);

        Assert.Contains(traceId, (string)problem["traceId"]!);
    }
}
