using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Backups;

/// <summary>507: the backup directory's drive has no room for the copy. Nothing was written.</summary>
public sealed class InsufficientStorage(ProblemDetails problem) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public ProblemDetails Problem => problem;

    public int? StatusCode => StatusCodes.Status507InsufficientStorage;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Problem(problem).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status507InsufficientStorage, typeof(ProblemDetails), ["application/problem+json"])
        {
            Description = "The backup directory's drive has too little free space for the copy (or filled up while it was written); nothing was kept.",
        });
}

/// <summary>503 with Retry-After: the backup could not be written. Nothing was kept.</summary>
public sealed class BackupUnavailable(ProblemDetails problem, int retryAfterSeconds) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public ProblemDetails Problem => problem;

    public int RetryAfterSeconds => retryAfterSeconds;

    public int? StatusCode => StatusCodes.Status503ServiceUnavailable;

    // Not an IValueHttpResult: ProblemResultFilter would rewrite it as a plain problem, without the Retry-After.
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(problem).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails), ["application/problem+json"])
        {
            Description = "The backup could not be written (the backup directory or the database could not be read or written); nothing was kept. Retry after the Retry-After seconds.",
        });
}
