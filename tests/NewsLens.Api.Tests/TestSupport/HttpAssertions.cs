using System.Net;
using System.Text.Json.Nodes;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>Reads the API's JSON as the wire shows it, not through the server's types, asserting status and content type.</summary>
public static class HttpAssertions
{
    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    /// <summary>Asserts an RFC 9457 problem with every member the contract promises, and returns it.</summary>
    public static async Task<JsonNode> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)expected, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["type"]), body);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]), body);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]), body);
        Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]), body);
        return problem;
    }

    /// <summary>Asserts a 400 validation problem whose <c>errors</c> has exactly the given keys.</summary>
    public static async Task<JsonObject> ReadValidationErrorsAsync(this HttpResponseMessage response, params string[] fields)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]?.AsObject();
        Assert.NotNull(errors);
        Assert.Equal(fields.Order(), errors.Select(e => e.Key).Order());
        return errors;
    }
}
